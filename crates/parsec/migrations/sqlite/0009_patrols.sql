-- Patrols: planned (unit, assets, route through localities, dates), then reported (done or
-- not, observations); incidents raised during a patrol point to it.
CREATE TABLE patrols (
    id            TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL UNIQUE,
    unit_id       TEXT NOT NULL REFERENCES units(id),
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    starts_on     TEXT NOT NULL,
    ends_on       TEXT NOT NULL,
    -- The localities of the route, in order, separated by ' → '.
    route         TEXT NOT NULL,
    -- The assets' registrations, separated by ', '.
    assets        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('prevue', 'effectuee', 'non_effectuee')),
    report        TEXT NOT NULL DEFAULT '',
    reported_at   TEXT,
    reported_by   TEXT
);
CREATE INDEX patrols_unit ON patrols(unit_id, starts_on);
ALTER TABLE incidents ADD COLUMN patrol_id TEXT REFERENCES patrols(id);
