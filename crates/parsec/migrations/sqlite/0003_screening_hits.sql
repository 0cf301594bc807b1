-- Screening hits: every `alerte` and `à vérifier` answer, kept with its explanation, for the
-- commandant of the post to confirm or dismiss with a reason.
CREATE TABLE screening_hits (
    id                TEXT PRIMARY KEY,
    created_at        TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    unit_id           TEXT REFERENCES units(id),
    query_name        TEXT NOT NULL,
    query_birth       TEXT,
    query_nationality TEXT,
    entry_id          TEXT NOT NULL REFERENCES watchlist_entries(id),
    score             REAL NOT NULL,
    decision          TEXT NOT NULL CHECK (decision IN ('alerte', 'a_verifier')),
    explanation       TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('a_revoir', 'confirme', 'ecarte')),
    reviewed_by       TEXT,
    reviewed_at       TEXT,
    review_reason     TEXT
);
CREATE INDEX screening_hits_status ON screening_hits(status, unit_id);
