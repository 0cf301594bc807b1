-- Five years of a region (5 million crossings, 5 million audit entries): every filter of the
-- lists that grow with the traffic has its index, followed by the list's time column, so a
-- filtered page is read newest first without sorting what it matched (tests/it/scale.rs
-- checks the plans). Names are searched through full-text indexes instead of a scan.

-- Crossings, by each filter of the list (the post and the time have theirs since 0004).
CREATE INDEX crossings_direction_time ON crossings(direction, crossed_at);
CREATE INDEX crossings_nationality_time ON crossings(nationality, crossed_at);
CREATE INDEX crossings_mode_time ON crossings(mode, crossed_at);
CREATE INDEX crossings_screening_time ON crossings(screening, crossed_at);
-- The list sorted by name, and by post (units walked in name order, then their crossings).
CREATE INDEX crossings_name ON crossings(surname, given_names, crossed_at);
CREATE INDEX units_name ON units(name);

-- The names and document numbers of the crossings, as words folded for case and accents
-- (`Traoré` is found by `traore`, `TRAORE` or `Tra`), searched by word prefix. External
-- content: the words are indexed, the text stays in `crossings` (rowids are stable there: a
-- table with indexes keeps them through VACUUM and VACUUM INTO). The triggers keep it right
-- on every insert, change and delete, the retention purge included.
CREATE VIRTUAL TABLE crossings_fts USING fts5(
    surname, given_names, document_number,
    content = 'crossings',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
CREATE TRIGGER crossings_fts_insert AFTER INSERT ON crossings BEGIN
    INSERT INTO crossings_fts (rowid, surname, given_names, document_number)
    VALUES (new.rowid, new.surname, new.given_names, new.document_number);
END;
CREATE TRIGGER crossings_fts_delete AFTER DELETE ON crossings BEGIN
    INSERT INTO crossings_fts (crossings_fts, rowid, surname, given_names, document_number)
    VALUES ('delete', old.rowid, old.surname, old.given_names, old.document_number);
END;
CREATE TRIGGER crossings_fts_update AFTER UPDATE OF surname, given_names, document_number
ON crossings BEGIN
    INSERT INTO crossings_fts (crossings_fts, rowid, surname, given_names, document_number)
    VALUES ('delete', old.rowid, old.surname, old.given_names, old.document_number);
    INSERT INTO crossings_fts (rowid, surname, given_names, document_number)
    VALUES (new.rowid, new.surname, new.given_names, new.document_number);
END;
INSERT INTO crossings_fts (crossings_fts) VALUES ('rebuild');

-- Incidents, by each filter of the register, and their place and notes as words.
CREATE INDEX incidents_type_time ON incidents(event_type, occurred_at);
CREATE INDEX incidents_status_time ON incidents(status, occurred_at);
CREATE INDEX incidents_cercle_time ON incidents(cercle, occurred_at);
CREATE INDEX incidents_place ON incidents(place, occurred_at);
CREATE VIRTUAL TABLE incidents_fts USING fts5(
    place, notes,
    content = 'incidents',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incidents_fts (rowid, place, notes) VALUES (new.rowid, new.place, new.notes);
END;
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incidents_fts (incidents_fts, rowid, place, notes)
    VALUES ('delete', old.rowid, old.place, old.notes);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF place, notes ON incidents BEGIN
    INSERT INTO incidents_fts (incidents_fts, rowid, place, notes)
    VALUES ('delete', old.rowid, old.place, old.notes);
    INSERT INTO incidents_fts (rowid, place, notes) VALUES (new.rowid, new.place, new.notes);
END;
INSERT INTO incidents_fts (incidents_fts) VALUES ('rebuild');

-- The review queue, newest first.
CREATE INDEX screening_hits_queue ON screening_hits(status, created_at);

-- The audit log, by each filter of the inspectors' page, in time order (the rowid, `seq`,
-- breaks the ties in chain order). These replace the indexes on the actor and the record.
DROP INDEX audit_log_actor;
DROP INDEX audit_log_entity;
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor_at ON audit_log(actor, at);
CREATE INDEX audit_log_action_at ON audit_log(action, at);
CREATE INDEX audit_log_entity_at ON audit_log(entity, at);
CREATE INDEX audit_log_record ON audit_log(entity, entity_id, at);
CREATE INDEX audit_log_entity_id_at ON audit_log(entity_id, at);
