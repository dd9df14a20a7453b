-- Portable between SQLite and PostgreSQL: see src/store.rs for the rules.

-- The language a person's mails are written in: the one their own signed-in requests asked for
-- (`Accept-Language`, negotiated as for error messages). NULL: not known yet, so English.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('en', 'nl'));
