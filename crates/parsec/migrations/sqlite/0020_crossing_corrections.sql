-- A mistaken crossing is never edited: its correction is a new crossing that names it and says
-- why (issue 12). One correction per crossing; a purge of the original leaves the correction.
ALTER TABLE crossings ADD COLUMN corrects TEXT REFERENCES crossings(id) ON DELETE SET NULL;
ALTER TABLE crossings ADD COLUMN correction_reason TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX crossings_corrects ON crossings(corrects) WHERE corrects IS NOT NULL;
