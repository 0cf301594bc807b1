-- A unit with no vehicle, boat or aircraft available can still answer on foot: a response
-- then has no asset. SQLite cannot drop NOT NULL in place, so the table is rebuilt (nothing
-- refers to it; its rows are copied whole).
CREATE TABLE responses_new (
    id              TEXT PRIMARY KEY,
    incident_id     TEXT NOT NULL REFERENCES incidents(id),
    -- None when the unit went on foot.
    asset_id        TEXT REFERENCES assets(id),
    unit_id         TEXT NOT NULL REFERENCES units(id),
    mode            TEXT NOT NULL,
    -- The travel time the ranking gave, and the place in it (1 = first).
    minutes         REAL,
    rank            INTEGER NOT NULL,
    override_reason TEXT NOT NULL DEFAULT '',
    dispatched_at   TEXT NOT NULL,
    dispatched_by   TEXT NOT NULL,
    engaged_at      TEXT,
    on_site_at      TEXT,
    done_at         TEXT
);
INSERT INTO responses_new SELECT id, incident_id, asset_id, unit_id, mode, minutes, rank,
    override_reason, dispatched_at, dispatched_by, engaged_at, on_site_at, done_at FROM responses;
DROP TABLE responses;
ALTER TABLE responses_new RENAME TO responses;
CREATE INDEX responses_incident ON responses(incident_id);
