-- Full-text search for the staff inbox: ticket subjects, and the subject and
-- visible text of every message (internal notes included; the inbox is
-- staff-only). FTS5 tables over the rows themselves (external content), kept
-- in step by triggers; accents are folded, so "munchen" finds "München".
CREATE VIRTUAL TABLE tickets_fts USING fts5 (
    subject,
    content = 'tickets', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    subject, visible_text,
    content = 'messages', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- migrate.go splits a file on every ';' that ends a line, so inside a trigger
-- body the statements are separated by a ';' that starts the next line.
-- Updates re-index only when the indexed text changes, not on every touch of
-- last_activity_at.
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject)
    ; END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject)
    ; END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject)
    ; INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject)
    ; END;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, subject, visible_text) VALUES (new.id, new.subject, new.visible_text)
    ; END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, visible_text) VALUES ('delete', old.id, old.subject, old.visible_text)
    ; END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, visible_text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, visible_text) VALUES ('delete', old.id, old.subject, old.visible_text)
    ; INSERT INTO messages_fts (rowid, subject, visible_text) VALUES (new.id, new.subject, new.visible_text)
    ; END;

-- Index the rows written before this migration.
INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild');
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
