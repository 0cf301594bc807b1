-- The workshop's meters (issue 13): each reading of an asset's km, engine hours or flight hours,
-- per engine when it has several (a boat's two outboards). Readings only go up in date order;
-- a replaced meter starts again from its first reading, marked `replaced`, with its reason.
CREATE TABLE meter_readings (
    id          TEXT PRIMARY KEY,
    asset_id    TEXT NOT NULL REFERENCES assets(id),
    meter       TEXT NOT NULL CHECK (meter IN ('km', 'engine_hours', 'flight_hours')),
    engine      TEXT NOT NULL DEFAULT '',
    read_on     TEXT NOT NULL,
    value       REAL NOT NULL CHECK (value >= 0),
    replaced    INTEGER NOT NULL DEFAULT 0 CHECK (replaced IN (0, 1)),
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX meter_readings_asset ON meter_readings(asset_id, meter, engine, read_on);
