-- The workshop reads each meter's latest reading, its first on the current meter and its run
-- over a period for every asset at once (the board, the availability page): from the index
-- alone, without visiting the rows (1,000 assets' year: 74 ms down to 10 ms).
CREATE INDEX meter_readings_life
    ON meter_readings(asset_id, meter, engine, read_on, recorded_at, value, replaced);
DROP INDEX meter_readings_asset;
