-- FTS5 keeps deleted words in its index until a merge, unless
-- secure-delete is on: an erasure must leave nothing readable. Optimize
-- rewrites what is there already.
INSERT INTO tickets_fts(tickets_fts, rank) VALUES('secure-delete', 1);
INSERT INTO messages_fts(messages_fts, rank) VALUES('secure-delete', 1);
INSERT INTO tickets_fts(tickets_fts) VALUES('optimize');
INSERT INTO messages_fts(messages_fts) VALUES('optimize');
