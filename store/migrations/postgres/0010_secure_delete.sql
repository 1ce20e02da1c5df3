-- SQLite only: FTS5's secure-delete really removes erased words from the
-- search index (PostgreSQL's indexes drop them with the rows).
SELECT 1;
