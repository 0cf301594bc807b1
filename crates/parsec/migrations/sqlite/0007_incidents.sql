-- Incidents (ACLED-compatible types plus civil protection), each change kept in a timeline;
-- responses: the unit or asset sent, how it was chosen, and its times.

CREATE TABLE incidents (
    id                 TEXT PRIMARY KEY,
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    unit_id            TEXT NOT NULL REFERENCES units(id),
    occurred_at        TEXT NOT NULL,
    locality_id        TEXT,
    place              TEXT NOT NULL DEFAULT '',
    lat                REAL NOT NULL,
    lon                REAL NOT NULL,
    -- How well the place is known: exact point, the locality, the commune or the cercle.
    geo_precision      TEXT NOT NULL CHECK (geo_precision IN ('exact', 'locality', 'commune', 'cercle')),
    cercle             TEXT NOT NULL DEFAULT '',
    event_type         TEXT NOT NULL,
    sub_event_type     TEXT NOT NULL,
    actor1             TEXT NOT NULL DEFAULT '',
    inter1             INTEGER NOT NULL DEFAULT 0 CHECK (inter1 BETWEEN 0 AND 8),
    actor2             TEXT NOT NULL DEFAULT '',
    inter2             INTEGER NOT NULL DEFAULT 0 CHECK (inter2 BETWEEN 0 AND 8),
    fatalities         INTEGER NOT NULL DEFAULT 0 CHECK (fatalities >= 0),
    injured            INTEGER NOT NULL DEFAULT 0 CHECK (injured >= 0),
    missing            INTEGER NOT NULL DEFAULT 0 CHECK (missing >= 0),
    source             TEXT NOT NULL DEFAULT '',
    source_reliability TEXT NOT NULL DEFAULT 'non_evaluee',
    notes              TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL CHECK (status IN ('signale', 'confirme', 'intervention', 'clos')),
    submission_id      TEXT NOT NULL UNIQUE
);
CREATE INDEX incidents_time ON incidents(occurred_at);
CREATE INDEX incidents_unit ON incidents(unit_id, occurred_at);

CREATE TABLE incident_events (
    id          TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    at          TEXT NOT NULL,
    by          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incident_events_incident ON incident_events(incident_id, at);

CREATE TABLE responses (
    id              TEXT PRIMARY KEY,
    incident_id     TEXT NOT NULL REFERENCES incidents(id),
    asset_id        TEXT NOT NULL REFERENCES assets(id),
    unit_id         TEXT NOT NULL REFERENCES units(id),
    mode            TEXT NOT NULL,
    -- The travel time the ranking gave, and the asset's place in it (1 = first).
    minutes         REAL,
    rank            INTEGER NOT NULL,
    override_reason TEXT NOT NULL DEFAULT '',
    dispatched_at   TEXT NOT NULL,
    dispatched_by   TEXT NOT NULL,
    engaged_at      TEXT,
    on_site_at      TEXT,
    done_at         TEXT
);
CREATE INDEX responses_incident ON responses(incident_id);
