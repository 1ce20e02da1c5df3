-- The search documents of messages in a table of their own (issue 19,
-- speed), named like SQLite's FTS5 table: messages_fts holds each
-- message's to_tsvector('simple', subject || ' ' || visible_text), the
-- expression the messages_search index of 0006 computed.
--
-- Computing that document (parsing the text) was about half of the
-- database's work for a new message, inside the statement that inserts
-- it. A writer may now hand over the document computed beforehand, from
-- the same text (dargo ingest computes the next mail's while one is
-- recorded); for every other insert, and whenever the subject or the
-- visible text changes (erasure, retention), the trigger below computes
-- it. A deleted message takes its document along.
--
-- The copy parses every stored message once: about a minute per million
-- messages on a small machine. The lock holds off writes to messages until
-- the trigger is in place, so no change slips between the copy and it.
LOCK TABLE messages IN SHARE MODE;
CREATE TABLE messages_fts (
    message_id BIGINT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    doc TSVECTOR NOT NULL
);
INSERT INTO messages_fts (message_id, doc)
    SELECT id, to_tsvector('simple', subject || ' ' || visible_text) FROM messages;
CREATE INDEX messages_fts_doc ON messages_fts USING GIN (doc);
DROP INDEX IF EXISTS messages_search;

CREATE FUNCTION messages_fts_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM messages_fts WHERE message_id = NEW.id) THEN
        RETURN NULL; -- handed over with the message, from the same text
    END IF;
    INSERT INTO messages_fts (message_id, doc)
        VALUES (NEW.id, to_tsvector('simple', NEW.subject || ' ' || NEW.visible_text))
        ON CONFLICT (message_id) DO UPDATE SET doc = EXCLUDED.doc;
    RETURN NULL;
END $$;

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_fts_write();
CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, visible_text ON messages
    FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.visible_text IS DISTINCT FROM NEW.visible_text)
    EXECUTE FUNCTION messages_fts_write();
