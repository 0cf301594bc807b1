-- The workshop's work orders (issue 13): preventive or corrective, from a defect report or a
-- due task; a blocking one keeps its asset in maintenance (out of dispatch) until closed.
CREATE TABLE work_orders (
    id           TEXT PRIMARY KEY,
    asset_id     TEXT NOT NULL REFERENCES assets(id),
    kind         TEXT NOT NULL CHECK (kind IN ('preventif', 'correctif')),
    status       TEXT NOT NULL CHECK (status IN ('ouvert', 'en_cours', 'attente_pieces',
                                                 'attente_budget', 'termine', 'annule')),
    blocking     INTEGER NOT NULL DEFAULT 1 CHECK (blocking IN (0, 1)),
    defect       TEXT NOT NULL,
    opened_at    TEXT NOT NULL,
    opened_by    TEXT NOT NULL,
    closed_at    TEXT,
    closed_by    TEXT,
    closing_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX work_orders_asset ON work_orders(asset_id, status);
CREATE INDEX work_orders_status ON work_orders(status, opened_at);
