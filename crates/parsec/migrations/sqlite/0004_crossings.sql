-- Border crossings: people (from a document's MRZ or typed), vehicles, goods; and the daily
-- counts that the flow statistics read, which hold no personal data and outlive the
-- crossings' retention period.

CREATE TABLE crossings (
    id                 TEXT PRIMARY KEY,
    -- The form's one-time key: a second Enter on the same form finds the first crossing.
    submission_id      TEXT NOT NULL UNIQUE,
    unit_id            TEXT NOT NULL REFERENCES units(id),
    crossed_at         TEXT NOT NULL,
    recorded_by        TEXT NOT NULL,
    direction          TEXT NOT NULL CHECK (direction IN ('entree', 'sortie')),
    mode               TEXT NOT NULL,
    purpose            TEXT NOT NULL DEFAULT '',
    origin_id          TEXT,
    origin             TEXT NOT NULL DEFAULT '',
    destination_id     TEXT,
    destination        TEXT NOT NULL DEFAULT '',
    surname            TEXT NOT NULL,
    given_names        TEXT NOT NULL DEFAULT '',
    sex                TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', 'M', 'F', 'X')),
    -- YYYY-MM-DD, YYYY-MM or YYYY; approximate when the traveller does not know it.
    birth_date         TEXT,
    birth_approximate  INTEGER NOT NULL DEFAULT 0,
    -- ISO alpha-2 where the code has one (documents give alpha-3).
    nationality        TEXT,
    document_code      TEXT NOT NULL DEFAULT '',
    document_number    TEXT NOT NULL DEFAULT '',
    document_country   TEXT NOT NULL DEFAULT '',
    document_expiry    TEXT,
    -- The machine-readable zone as read, lines separated by newlines; empty when typed.
    mrz                TEXT NOT NULL DEFAULT '',
    screening          TEXT NOT NULL CHECK (screening IN ('aucune', 'a_verifier', 'alerte')),
    instruction        TEXT,
    instruction_read_at TEXT,
    -- Warning codes shown at the save, separated by commas.
    warnings           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX crossings_unit_time ON crossings(unit_id, crossed_at);
CREATE INDEX crossings_document ON crossings(document_number, crossed_at);
CREATE INDEX crossings_time ON crossings(crossed_at);

CREATE TABLE crossing_vehicles (
    id                 TEXT PRIMARY KEY,
    submission_id      TEXT NOT NULL UNIQUE,
    unit_id            TEXT NOT NULL REFERENCES units(id),
    crossed_at         TEXT NOT NULL,
    recorded_by        TEXT NOT NULL,
    direction          TEXT NOT NULL CHECK (direction IN ('entree', 'sortie')),
    plate              TEXT NOT NULL,
    country            TEXT NOT NULL DEFAULT '',
    kind               TEXT NOT NULL,
    driver_crossing_id TEXT REFERENCES crossings(id) ON DELETE SET NULL,
    passengers         INTEGER NOT NULL DEFAULT 0 CHECK (passengers >= 0)
);
CREATE INDEX crossing_vehicles_unit_time ON crossing_vehicles(unit_id, crossed_at);

CREATE TABLE goods_declarations (
    id                 TEXT PRIMARY KEY,
    submission_id      TEXT NOT NULL UNIQUE,
    unit_id            TEXT NOT NULL REFERENCES units(id),
    crossed_at         TEXT NOT NULL,
    recorded_by        TEXT NOT NULL,
    direction          TEXT NOT NULL CHECK (direction IN ('entree', 'sortie')),
    vehicle_id         TEXT REFERENCES crossing_vehicles(id) ON DELETE SET NULL,
    crossing_id        TEXT REFERENCES crossings(id) ON DELETE SET NULL,
    category           TEXT NOT NULL,
    quantity           REAL NOT NULL CHECK (quantity > 0),
    quantity_unit      TEXT NOT NULL,
    value_fcfa         INTEGER CHECK (value_fcfa >= 0),
    origin             TEXT NOT NULL DEFAULT '',
    destination        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX goods_unit_time ON goods_declarations(unit_id, crossed_at);

-- Daily counts per post (no personal data): what the statistics and the exchange packages read.
CREATE TABLE flow_people (
    day         TEXT NOT NULL,
    unit_id     TEXT NOT NULL REFERENCES units(id),
    direction   TEXT NOT NULL,
    nationality TEXT NOT NULL,
    mode        TEXT NOT NULL,
    people      INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, direction, nationality, mode)
);
CREATE TABLE flow_vehicles (
    day         TEXT NOT NULL,
    unit_id     TEXT NOT NULL REFERENCES units(id),
    direction   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    vehicles    INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, direction, kind)
);
CREATE TABLE flow_goods (
    day           TEXT NOT NULL,
    unit_id       TEXT NOT NULL REFERENCES units(id),
    direction     TEXT NOT NULL,
    category      TEXT NOT NULL,
    quantity_unit TEXT NOT NULL,
    quantity      REAL NOT NULL,
    value_fcfa    INTEGER NOT NULL,
    declarations  INTEGER NOT NULL,
    PRIMARY KEY (day, unit_id, direction, category, quantity_unit)
);

-- A hit made when a crossing was saved points to it.
ALTER TABLE screening_hits ADD COLUMN crossing_id TEXT REFERENCES crossings(id) ON DELETE SET NULL;
