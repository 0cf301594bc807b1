-- The nodes of the region (issue 11). This node's own identity is in `meta` (node_id,
-- node_role, node_name, node_unit). The regional node lists the posts it registered: each gets
-- a one-time enrolment code (only its hash is kept), and once enrolled the post's node id and
-- public key, pinned. A post lists the regional node it enrolled with, its key pinned alike.
CREATE TABLE nodes (
    -- The registration's id.
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('regional', 'post')),
    unit_id         TEXT REFERENCES units(id),
    -- The node's own id and its Ed25519 public key (hex), pinned at enrolment.
    node_id         TEXT UNIQUE,
    public_key      TEXT UNIQUE,
    enrolment_hash  TEXT UNIQUE,
    code_expires_at TEXT,
    registered_at   TEXT NOT NULL,
    registered_by   TEXT NOT NULL,
    enrolled_at     TEXT,
    last_contact    TEXT
);
CREATE INDEX nodes_unit ON nodes(unit_id);
