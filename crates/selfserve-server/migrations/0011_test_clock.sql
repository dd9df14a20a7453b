-- The test clock (`--test-clock`) in one row that every server on the database reads, so that
-- several servers behind one proxy agree on billing time. Portable between SQLite and
-- PostgreSQL (see src/store.rs). It was a per-process value saved in `settings` for restarts;
-- that value is carried over.
CREATE TABLE test_clock (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    offset_seconds BIGINT NOT NULL CHECK (offset_seconds >= 0)
);

INSERT INTO test_clock (id, offset_seconds)
SELECT 1, COALESCE(MAX(CAST(value AS BIGINT)), 0)
FROM settings
WHERE key = 'test_clock_offset_seconds';

DELETE FROM settings WHERE key = 'test_clock_offset_seconds';
