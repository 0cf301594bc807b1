-- The workshop's records (issue 13), each replicated to the region with its `id`.

-- A work order's statuses in time: the downtime by cause (in repair, waiting parts, waiting
-- budget) is read from them.
CREATE TABLE work_order_events (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    status        TEXT NOT NULL CHECK (status IN ('ouvert', 'en_cours', 'attente_pieces',
                                                  'attente_budget', 'termine', 'annule')),
    at            TEXT NOT NULL,
    by_user       TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX work_order_events_order ON work_order_events(work_order_id, at);

-- The meters at the start and the end of the work, its cost (FCFA, whole francs), and the
-- incident response it comes from (an asset that broke down on the way).
ALTER TABLE work_orders ADD COLUMN meter_start REAL CHECK (meter_start >= 0);
ALTER TABLE work_orders ADD COLUMN meter_end REAL CHECK (meter_end >= 0);
ALTER TABLE work_orders ADD COLUMN cost_fcfa INTEGER CHECK (cost_fcfa >= 0);
ALTER TABLE work_orders ADD COLUMN response_id TEXT REFERENCES responses(id);

-- Labour: hours by mechanic and day.
CREATE TABLE work_order_labour (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    mechanic      TEXT NOT NULL,
    day           TEXT NOT NULL,
    hours         REAL NOT NULL CHECK (hours > 0 AND hours <= 24),
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX work_order_labour_order ON work_order_labour(work_order_id);

-- Preventive plans: for one asset, or for every asset of a kind (and a model, when set).
-- `example` plans are shipped as a start, to be replaced by the manufacturers' and the
-- workshop's own documents; `source` says where a plan comes from.
CREATE TABLE maintenance_plans (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    asset_kind  TEXT,
    model       TEXT NOT NULL DEFAULT '',
    asset_id    TEXT REFERENCES assets(id),
    example     INTEGER NOT NULL DEFAULT 0 CHECK (example IN (0, 1)),
    source      TEXT NOT NULL DEFAULT '',
    starts_on   TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    CHECK ((asset_kind IS NULL) <> (asset_id IS NULL))
);

-- A plan's tasks: by meter and/or by time, whichever comes first; `first_meter` overrides the
-- first interval (an outboard's first service at 20 h).
CREATE TABLE plan_tasks (
    id          TEXT PRIMARY KEY,
    plan_id     TEXT NOT NULL REFERENCES maintenance_plans(id),
    name        TEXT NOT NULL,
    meter       TEXT CHECK (meter IN ('km', 'engine_hours', 'flight_hours')),
    meter_every REAL CHECK (meter_every > 0),
    days_every  INTEGER CHECK (days_every > 0),
    soon_meter  REAL NOT NULL DEFAULT 0 CHECK (soon_meter >= 0),
    soon_days   INTEGER NOT NULL DEFAULT 0 CHECK (soon_days >= 0),
    first_meter REAL CHECK (first_meter > 0),
    CHECK (meter_every IS NOT NULL OR days_every IS NOT NULL),
    CHECK ((meter IS NULL) = (meter_every IS NULL))
);
CREATE INDEX plan_tasks_plan ON plan_tasks(plan_id);

-- The tasks a preventive work order does: its completion resets them.
CREATE TABLE work_order_tasks (
    id            TEXT PRIMARY KEY,
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    task_id       TEXT NOT NULL REFERENCES plan_tasks(id),
    UNIQUE (work_order_id, task_id)
);
CREATE INDEX work_order_tasks_task ON work_order_tasks(task_id);

-- Parts: the catalogue, and the stock as the sum of its movements (never a stored number).
CREATE TABLE parts (
    id          TEXT PRIMARY KEY,
    reference   TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    models      TEXT NOT NULL DEFAULT '',
    unit        TEXT NOT NULL DEFAULT '',
    reorder_at  REAL NOT NULL DEFAULT 0 CHECK (reorder_at >= 0),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE stock_movements (
    id            TEXT PRIMARY KEY,
    part_id       TEXT NOT NULL REFERENCES parts(id),
    store         TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('entree', 'sortie', 'transfert', 'inventaire')),
    quantity      REAL NOT NULL,
    work_order_id TEXT REFERENCES work_orders(id),
    note          TEXT NOT NULL DEFAULT '',
    at            TEXT NOT NULL,
    by_user       TEXT NOT NULL
);
CREATE INDEX stock_movements_part ON stock_movements(part_id, store);
CREATE INDEX stock_movements_order ON stock_movements(work_order_id);

-- Fuel issued to an asset, with its meter then.
CREATE TABLE fuel_issues (
    id          TEXT PRIMARY KEY,
    asset_id    TEXT NOT NULL REFERENCES assets(id),
    day         TEXT NOT NULL,
    litres      REAL NOT NULL CHECK (litres > 0 AND litres <= 10000),
    meter       REAL CHECK (meter >= 0),
    source      TEXT NOT NULL CHECK (source IN ('station', 'jerrycan')),
    note        TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX fuel_issues_asset ON fuel_issues(asset_id, day);

-- Work orders already open get their first event, so that their downtime counts.
INSERT INTO work_order_events (id, work_order_id, status, at, by_user)
    SELECT id || '-0', id, 'ouvert', opened_at, opened_by FROM work_orders;
