-- A unit out on foot is out: one open response on foot per unit at a time (a second send,
-- by a double click or another officer, is refused by the database itself).
CREATE UNIQUE INDEX responses_one_on_foot ON responses(unit_id)
    WHERE asset_id IS NULL AND done_at IS NULL;
