-- Version 3 changes SQLite's record table only (WITHOUT ROWID); PostgreSQL keeps rows in a heap with a
-- primary key index either way, so there is nothing to do here but to keep the versions of both in step.
SELECT 1;
