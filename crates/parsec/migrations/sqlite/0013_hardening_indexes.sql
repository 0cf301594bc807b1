-- Indexes that the attack and load review found missing.

-- The alerts an agent saved and has not acknowledged: looked up before every new crossing.
CREATE INDEX crossings_unread_alerts ON crossings(recorded_by, crossed_at)
    WHERE screening = 'alerte' AND instruction_read_at IS NULL;

-- Foreign keys into crossings, vehicles and patrols: without them, each deleted crossing of the
-- retention purge scanned these tables (60,000 crossings: 107 s under the write lock).
CREATE INDEX crossing_vehicles_driver ON crossing_vehicles(driver_crossing_id);
CREATE INDEX goods_declarations_crossing ON goods_declarations(crossing_id);
CREATE INDEX goods_declarations_vehicle ON goods_declarations(vehicle_id);
CREATE INDEX exchange_alerts_crossing ON exchange_alerts(crossing_id);
CREATE INDEX screening_hits_crossing ON screening_hits(crossing_id);
CREATE INDEX incidents_patrol ON incidents(patrol_id);
