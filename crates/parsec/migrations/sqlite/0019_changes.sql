-- The change log (issue 11): every write to a replicated table, captured in its transaction by
-- the triggers that `sync::capture` installs (they are made from the tables' columns at each
-- start, so a new column is captured without a migration). See docs/sync.md.

-- This node's hybrid logical clock, packed (milliseconds << 16 | counter).
CREATE TABLE sync_clock (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    hlc INTEGER NOT NULL
);
INSERT INTO sync_clock (one, hlc) VALUES (1, 0);

-- Set while the applier writes changes received from another node: the triggers stay quiet
-- (the applier records those changes itself, with their origin's numbers).
CREATE TABLE sync_applying (
    one      INTEGER PRIMARY KEY CHECK (one = 1),
    applying INTEGER NOT NULL
);
INSERT INTO sync_applying (one, applying) VALUES (1, 0);

-- Every change this node holds: its own (origin = its node id; '' until it has one) and those
-- it applied. `pos` is the order in which they were applied here: the regional stream.
CREATE TABLE changes (
    pos       INTEGER PRIMARY KEY,
    origin    TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    hlc       INTEGER NOT NULL,
    tbl       TEXT NOT NULL,
    row_id    TEXT NOT NULL,
    op        TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    -- The fields written (JSON object); emptied when the record is purged (retention).
    fields    TEXT NOT NULL,
    -- For each field written, the version its author saw: {"field": [hlc, origin]}.
    base      TEXT NOT NULL DEFAULT '{}',
    -- Set from the audit entry of the same transaction (NULL until then).
    actor     TEXT,
    UNIQUE (origin, seq)
);
CREATE INDEX changes_row ON changes(tbl, row_id);
CREATE INDEX changes_unstamped ON changes(pos) WHERE actor IS NULL;

-- The version of each field written after its record's insert (the insert's version holds
-- for the others).
CREATE TABLE field_versions (
    tbl    TEXT NOT NULL,
    row_id TEXT NOT NULL,
    field  TEXT NOT NULL,
    hlc    INTEGER NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (tbl, row_id, field)
) WITHOUT ROWID;

-- Concurrent writes of one field with different values: the one not in place is kept here
-- until a person resolves it. Also a received record the database refused (a login taken).
CREATE TABLE sync_conflicts (
    id           TEXT PRIMARY KEY,
    tbl          TEXT NOT NULL,
    row_id       TEXT NOT NULL,
    field        TEXT NOT NULL,
    kept_value   TEXT,
    kept_hlc     INTEGER,
    kept_origin  TEXT,
    lost_value   TEXT,
    lost_hlc     INTEGER NOT NULL,
    lost_origin  TEXT NOT NULL,
    lost_actor   TEXT NOT NULL,
    detected_at  TEXT NOT NULL,
    resolved_at  TEXT,
    resolved_by  TEXT,
    resolution   TEXT
);
CREATE INDEX sync_conflicts_open ON sync_conflicts(detected_at) WHERE resolved_at IS NULL;

-- Per stream, the last position applied here (moved in the transaction of the changes).
CREATE TABLE sync_cursors (
    stream  TEXT PRIMARY KEY,
    applied INTEGER NOT NULL
);

-- Per node (on the regional node: per post), the audit chain it sent, verbatim.
CREATE TABLE node_audit (
    node      TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (node, seq)
) WITHOUT ROWID;

-- The signed checkpoints of each node's audit chain (count and head), as received.
CREATE TABLE sync_checkpoints (
    node        TEXT NOT NULL,
    count       INTEGER NOT NULL,
    head        TEXT NOT NULL,
    signature   TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (node, count)
) WITHOUT ROWID;

-- What a post last heard from the regional node, for its "hors ligne depuis" banner.
ALTER TABLE nodes ADD COLUMN last_error TEXT;
