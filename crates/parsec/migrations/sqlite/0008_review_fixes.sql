-- What the first version missed: the content a form key was used for (a key used again for
-- another traveller is refused), and the age of a partner's alert (an older package never
-- overwrites a newer one).
ALTER TABLE crossings ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE partner_alerts ADD COLUMN package_created_at TEXT NOT NULL DEFAULT '';
