-- The custody register (garde à vue, issue 14).

-- The legal limits, per regime, as the administrator sets them with their legal reference: the
-- numbers are configuration, not code (the new Code de procédure pénale of June 2025 may change
-- them). The defaults are those of the Code of 2001 as the issue states them, to be checked.
CREATE TABLE custody_rules (
    id               TEXT PRIMARY KEY,
    base_hours       INTEGER NOT NULL CHECK (base_hours > 0 AND base_hours <= 720),
    extension_hours  INTEGER NOT NULL CHECK (extension_hours >= 0 AND extension_hours <= 720),
    max_extensions   INTEGER NOT NULL CHECK (max_extensions >= 0 AND max_extensions <= 10),
    alert_hours      TEXT NOT NULL,
    legal_reference  TEXT NOT NULL,
    updated_by       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
INSERT INTO custody_rules VALUES
    ('ordinaire', 48, 24, 1, '6,1',
     'Code de procédure pénale (loi n° 01-080 du 20 août 2001), art. 76 : 48 heures, prolongation de 24 heures sur autorisation écrite du procureur. À vérifier au regard du nouveau Code (juin 2025).',
     'parsec', '2026-12-06T00:00:00Z'),
    ('terrorisme', 48, 48, 1, '6,1',
     'Terrorisme et criminalité organisée : 48 heures renouvelables sur autorisation écrite. Nombre de renouvellements à fixer selon le texte en vigueur.',
     'parsec', '2026-12-06T00:00:00Z');

-- A person held: who, why, where, since when, ordered by which officer of judicial police (OPJ).
-- Never deleted nor edited: what happens next is an entry; a mistaken record is corrected by a
-- new one that names it.
CREATE TABLE custodies (
    id                TEXT PRIMARY KEY,
    unit_id           TEXT NOT NULL REFERENCES units(id),
    regime            TEXT NOT NULL REFERENCES custody_rules(id),
    opj               TEXT NOT NULL,
    surname           TEXT NOT NULL,
    given_names       TEXT NOT NULL DEFAULT '',
    birth_date        TEXT,
    nationality       TEXT,
    document_number   TEXT NOT NULL DEFAULT '',
    offence           TEXT NOT NULL,
    place             TEXT NOT NULL,
    started_at        TEXT NOT NULL,
    crossing_id       TEXT REFERENCES crossings(id),
    corrects          TEXT REFERENCES custodies(id),
    correction_reason TEXT NOT NULL DEFAULT '',
    recorded_by       TEXT NOT NULL,
    recorded_at       TEXT NOT NULL
);
CREATE INDEX custodies_unit ON custodies(unit_id, started_at);
CREATE INDEX custodies_crossing ON custodies(crossing_id);
CREATE UNIQUE INDEX custodies_corrects ON custodies(corrects);

-- What happens during a custody, in time: rights notified (reason, lawyer, doctor, family),
-- the prosecutor informed, extensions, medical visits, meals, the end; a correction names the
-- entry it corrects.
CREATE TABLE custody_entries (
    id          TEXT PRIMARY KEY,
    custody_id  TEXT NOT NULL REFERENCES custodies(id),
    kind        TEXT NOT NULL CHECK (kind IN ('droit_motif', 'droit_avocat', 'droit_medecin',
                    'droit_famille', 'procureur', 'prolongation', 'visite_medicale', 'repas',
                    'fin')),
    at          TEXT NOT NULL,
    by_whom     TEXT NOT NULL DEFAULT '',
    reference   TEXT NOT NULL DEFAULT '',
    outcome     TEXT CHECK (outcome IN ('libere', 'defere', 'transfere')),
    note        TEXT NOT NULL DEFAULT '',
    corrects    TEXT REFERENCES custody_entries(id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX custody_entries_custody ON custody_entries(custody_id, at);
CREATE UNIQUE INDEX custody_entries_corrects ON custody_entries(corrects);

-- The register is never deleted from, whatever the path.
CREATE TRIGGER custodies_no_delete BEFORE DELETE ON custodies
BEGIN SELECT RAISE(ABORT, 'custody records are never deleted'); END;
CREATE TRIGGER custody_entries_no_delete BEFORE DELETE ON custody_entries
BEGIN SELECT RAISE(ABORT, 'custody entries are never deleted'); END;
