-- Watchlists: each imported version of a list is kept; the newest of a name is active, the
-- ones it replaced stay for audit.

CREATE TABLE watchlists (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    authority     TEXT NOT NULL,
    version       TEXT NOT NULL,
    valid_from    TEXT,
    valid_to      TEXT,
    status        TEXT NOT NULL CHECK (status IN ('active', 'replaced')),
    replaces_id   TEXT REFERENCES watchlists(id),
    source_format TEXT NOT NULL,
    entry_count   INTEGER NOT NULL,
    imported_at   TEXT NOT NULL,
    imported_by   TEXT NOT NULL,
    UNIQUE (name, version)
);

CREATE TABLE watchlist_entries (
    id           TEXT PRIMARY KEY,
    watchlist_id TEXT NOT NULL REFERENCES watchlists(id),
    external_id  TEXT NOT NULL,
    full_name    TEXT NOT NULL,
    -- Aliases separated by ';' (names never contain one).
    aliases      TEXT NOT NULL DEFAULT '',
    birth_date   TEXT,
    nationality  TEXT,
    reason       TEXT NOT NULL DEFAULT '',
    instruction  TEXT NOT NULL CHECK (instruction IN ('arreter', 'signaler', 'laisser_passer_signaler')),
    expires_at   TEXT
);
CREATE INDEX watchlist_entries_list ON watchlist_entries(watchlist_id);
