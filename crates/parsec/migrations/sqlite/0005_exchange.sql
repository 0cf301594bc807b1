-- Cross-border exchange: alerts a commandant chose to share with the partner service across
-- the border, what left the node in each package, the partners' keys that this node trusts,
-- and the partners' alerts received for the facing post.

CREATE TABLE exchange_alerts (
    id          TEXT PRIMARY KEY,
    unit_id     TEXT NOT NULL REFERENCES units(id),
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('personne', 'vehicule')),
    -- Only what the partner needs to recognise the person or the vehicle.
    name        TEXT NOT NULL DEFAULT '',
    birth_year  INTEGER,
    nationality TEXT NOT NULL DEFAULT '',
    plate       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    crossing_id TEXT REFERENCES crossings(id) ON DELETE SET NULL
);
CREATE INDEX exchange_alerts_unit ON exchange_alerts(unit_id, created_at);

CREATE TABLE exchange_exports (
    id          TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    unit_id     TEXT NOT NULL REFERENCES units(id),
    period_from TEXT NOT NULL,
    period_to   TEXT NOT NULL,
    flow_rows   INTEGER NOT NULL,
    -- The ids of the alerts that left, separated by commas.
    alert_ids   TEXT NOT NULL,
    sha256      TEXT NOT NULL
);

CREATE TABLE exchange_partners (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    public_key  TEXT NOT NULL UNIQUE,
    unit_id     TEXT NOT NULL REFERENCES units(id),
    added_at    TEXT NOT NULL,
    added_by    TEXT NOT NULL
);

CREATE TABLE exchange_imports (
    package_id  TEXT PRIMARY KEY,
    partner_id  TEXT NOT NULL REFERENCES exchange_partners(id),
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to   TEXT NOT NULL,
    alerts      INTEGER NOT NULL,
    sha256      TEXT NOT NULL
);

CREATE TABLE partner_alerts (
    id          TEXT PRIMARY KEY,
    package_id  TEXT NOT NULL REFERENCES exchange_imports(package_id),
    partner_id  TEXT NOT NULL REFERENCES exchange_partners(id),
    unit_id     TEXT NOT NULL REFERENCES units(id),
    remote_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    birth_year  INTEGER,
    nationality TEXT NOT NULL DEFAULT '',
    plate       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    UNIQUE (partner_id, remote_id)
);
CREATE INDEX partner_alerts_unit ON partner_alerts(unit_id, valid_until);
