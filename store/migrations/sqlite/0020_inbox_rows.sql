-- The inbox's rows (issue 13): each ticket's newest message, for the row's
-- preview, "waiting" time and unread mark, is found by walking this index
-- backwards from the ticket's highest id. Without it, PostgreSQL sometimes
-- planned that lookup as a backward scan of every message (the primary
-- key) until one of the ticket's turned up: p99 1.5 s for a 200-message
-- ticket at 8 clients. Building it holds off writes to messages for a few
-- seconds per million messages; on a large database build it first with
-- CREATE INDEX CONCURRENTLY and the same definition.
CREATE INDEX IF NOT EXISTS messages_ticket_id ON messages (ticket_id, id);

-- How far each staff member has read each ticket: the highest message id
-- shown to them when they last opened it. A ticket is unread for them while
-- it has a customer message above it. Written on every opening, read by the
-- inbox list; a person's rows go with them.
CREATE TABLE ticket_reads (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_id  BIGINT NOT NULL,
    read_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, ticket_id)
);
