-- parsec initial schema (SQLite). Forward-only: never edit after release, add a new file.
-- IDs are UUIDv7 text made on any node; times are RFC 3339 UTC text.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE forces (
    id      TEXT PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE,
    name_fr TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE units (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('brigade','peloton','escadron','compagnie',
                    'centre_secours','poste_frontiere','atelier','etat_major')),
    force_id    TEXT NOT NULL REFERENCES forces(id),
    parent_id   TEXT REFERENCES units(id),
    locality_id TEXT,
    lat         REAL,
    lon         REAL,
    call_sign   TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE assets (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('vehicle','motorbike','boat','ambulance',
                      'aircraft','generator','radio')),
    force_id      TEXT NOT NULL REFERENCES forces(id),
    unit_id       TEXT NOT NULL REFERENCES units(id),
    registration  TEXT NOT NULL UNIQUE,
    make          TEXT NOT NULL,
    model         TEXT NOT NULL,
    year          INTEGER,
    status        TEXT NOT NULL CHECK (status IN ('disponible','en_mission','en_maintenance',
                      'hors_service')),
    odometer_km   REAL,
    engine_hours  REAL,
    flight_hours  REAL,
    notes         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX assets_unit ON assets(unit_id);

CREATE TABLE sites (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('caserne','atelier','hangar','poste')),
    unit_id     TEXT NOT NULL REFERENCES units(id),
    locality_id TEXT,
    lat         REAL,
    lon         REAL,
    status      TEXT NOT NULL CHECK (status IN ('operationnel','degrade','en_travaux',
                    'hors_service')),
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX sites_unit ON sites(unit_id);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin','operations','commandant','agent',
                      'atelier','inspecteur','programme')),
    unit_id       TEXT REFERENCES units(id),
    password_hash TEXT NOT NULL,
    lang          TEXT NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr','en')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0,1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- Only the SHA-256 of the session token is stored: a copy of the database gives no session.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    last_seen   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    last_used   TEXT,
    revoked_at  TEXT
);

CREATE TABLE login_attempts (
    id       TEXT PRIMARY KEY,
    login    TEXT NOT NULL,
    address  TEXT NOT NULL,
    at       TEXT NOT NULL,
    success  INTEGER NOT NULL CHECK (success IN (0,1))
);
CREATE INDEX login_attempts_login ON login_attempts(login, at);
CREATE INDEX login_attempts_address ON login_attempts(address, at);

-- The hash-chained audit log. seq is the chain position (1, 2, 3 …), never a reference.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_log_actor ON audit_log(actor);

-- Append-only through the application; these triggers stop honest mistakes. Someone with the
-- file can drop them, which is what the hash chain and `parsec audit verify` are for.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

INSERT INTO forces (id, code, name_fr, name_en) VALUES
 ('0190f000-0000-7000-8000-000000000001','GN','Gendarmerie nationale','National Gendarmerie'),
 ('0190f000-0000-7000-8000-000000000002','GDN','Garde nationale','National Guard'),
 ('0190f000-0000-7000-8000-000000000003','PN','Police nationale','National Police'),
 ('0190f000-0000-7000-8000-000000000004','PC','Protection civile','Civil Protection'),
 ('0190f000-0000-7000-8000-000000000005','DN','Douanes','Customs'),
 ('0190f000-0000-7000-8000-000000000006','FAMA','Forces armées','Armed Forces');
