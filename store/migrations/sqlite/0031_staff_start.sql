-- Staff-started tickets and forwards (issue 17). tickets.channel is how a
-- ticket was opened: '' by its customer (mail or portal, as its first
-- message's source says), 'staff' by a staff member writing to the
-- customer first (reports count those apart).
ALTER TABLE tickets ADD COLUMN channel TEXT NOT NULL DEFAULT '';

-- A forward sends one message of a ticket to a third party (not a
-- participant) with a note. Its mail's Reply-To is the forward's own
-- address (support+<N>-f<id>-<mac>@domain), and an answer to it is kept
-- on the ticket as an internal note naming the forward (messages.forward_id).
CREATE TABLE forwards (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_id  BIGINT REFERENCES messages (id) ON DELETE SET NULL,
    actor_id    BIGINT REFERENCES users (id),
    to_email    TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX forwards_ticket ON forwards (ticket_id);

ALTER TABLE messages ADD COLUMN forward_id BIGINT REFERENCES forwards (id) ON DELETE SET NULL;
-- The forward's mail names it, so the mail says the note and signs the
-- forward's reply address.
ALTER TABLE emails ADD COLUMN forward_id BIGINT REFERENCES forwards (id) ON DELETE SET NULL;
