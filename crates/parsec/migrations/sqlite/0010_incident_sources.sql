-- Incidents imported from an ACLED-shaped or UCDP GED file keep the source's own id, so that
-- the same event imported twice is recognised.
ALTER TABLE incidents ADD COLUMN external_ref TEXT;
CREATE UNIQUE INDEX incidents_external_ref ON incidents(external_ref) WHERE external_ref IS NOT NULL;
