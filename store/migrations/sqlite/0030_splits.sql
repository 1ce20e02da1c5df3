-- Splitting a ticket (issue 17). One customer message moves to a new
-- ticket; splits records where it came from, so the original shows
-- "Message split into #M" and the new ticket "Split from #N". The
-- message's Message-ID moves among the thread ids with it, so answers in
-- that mail's thread reach the new ticket.
CREATE TABLE splits (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    into_id     BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_id  BIGINT REFERENCES messages (id) ON DELETE SET NULL,
    actor_id    BIGINT REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX splits_ticket ON splits (ticket_id);
CREATE INDEX splits_into ON splits (into_id);
