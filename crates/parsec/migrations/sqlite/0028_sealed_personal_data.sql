-- Personal data sealed at rest (docs/encryption-design.md, issue 14). The names, dates of
-- birth, document numbers and free texts about a person are stored sealed (`enc1:…`) by the
-- application; what searches them is keyed tags, never the clear value.

-- The node's data keys, each wrapped (sealed) under the master key, which lives outside the
-- database (a key file or PARSEC_DATA_KEY). Not replicated: a post uploads its own keys to
-- the regional node through the signed exchange, sealed for that node alone.
CREATE TABLE data_keys (
    kid         INTEGER PRIMARY KEY,
    -- The node that seals with it: this node's id, or the post that uploaded it ('' = this
    -- node before it had an id).
    owner       TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL CHECK (state IN ('current', 'retired')),
    created_at  TEXT NOT NULL,
    wrapped     TEXT NOT NULL,
    -- When the regional node acknowledged it (a post's own keys).
    uploaded_at TEXT
);

-- The words of a crossing's names as keyed tags (space-separated), and its document number's
-- tag: what the list's search and the find by document match on.
ALTER TABLE crossings ADD COLUMN name_keys TEXT NOT NULL DEFAULT '';
ALTER TABLE crossings ADD COLUMN document_tag TEXT NOT NULL DEFAULT '';

-- The clear-text indexes go: their pages would hold the names.
DROP TRIGGER crossings_fts_insert;
DROP TRIGGER crossings_fts_delete;
DROP TRIGGER crossings_fts_update;
DROP TABLE crossings_fts;
DROP INDEX crossings_name;
DROP INDEX crossings_document;
CREATE INDEX crossings_document_tag ON crossings(document_tag, crossed_at);

CREATE VIRTUAL TABLE crossings_fts USING fts5(
    name_keys, document_tag,
    content = 'crossings',
    detail = none
);
CREATE TRIGGER crossings_fts_insert AFTER INSERT ON crossings BEGIN
    INSERT INTO crossings_fts (rowid, name_keys, document_tag)
    VALUES (new.rowid, new.name_keys, new.document_tag);
END;
CREATE TRIGGER crossings_fts_delete AFTER DELETE ON crossings BEGIN
    INSERT INTO crossings_fts (crossings_fts, rowid, name_keys, document_tag)
    VALUES ('delete', old.rowid, old.name_keys, old.document_tag);
END;
CREATE TRIGGER crossings_fts_update AFTER UPDATE OF name_keys, document_tag ON crossings BEGIN
    INSERT INTO crossings_fts (crossings_fts, rowid, name_keys, document_tag)
    VALUES ('delete', old.rowid, old.name_keys, old.document_tag);
    INSERT INTO crossings_fts (rowid, name_keys, document_tag)
    VALUES (new.rowid, new.name_keys, new.document_tag);
END;
INSERT INTO crossings_fts (crossings_fts) VALUES ('rebuild');
