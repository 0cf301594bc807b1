-- no-transaction
-- A list version being loaded (`loading`) is written in short transactions while the agents
-- keep saving crossings, and switched to `active` in one short transaction at the end. SQLite
-- cannot widen a CHECK in place: the table is rebuilt, the documented way (foreign keys off,
-- one transaction, the keys checked before the commit).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE watchlists_new (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    authority     TEXT NOT NULL,
    version       TEXT NOT NULL,
    valid_from    TEXT,
    valid_to      TEXT,
    status        TEXT NOT NULL CHECK (status IN ('loading', 'active', 'replaced')),
    replaces_id   TEXT REFERENCES watchlists(id),
    source_format TEXT NOT NULL,
    entry_count   INTEGER NOT NULL,
    imported_at   TEXT NOT NULL,
    imported_by   TEXT NOT NULL,
    UNIQUE (name, version)
);
INSERT INTO watchlists_new SELECT id, name, authority, version, valid_from, valid_to, status,
    replaces_id, source_format, entry_count, imported_at, imported_by FROM watchlists;
DROP TABLE watchlists;
ALTER TABLE watchlists_new RENAME TO watchlists;
CREATE INDEX watchlists_replaces ON watchlists(replaces_id);
CREATE INDEX watchlists_status ON watchlists(status, name);
COMMIT;
PRAGMA foreign_keys = ON;
