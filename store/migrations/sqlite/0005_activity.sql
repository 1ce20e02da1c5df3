-- What staff did to a ticket, and when: status, priority, category and
-- assignee changes, replies and notes.
CREATE TABLE activity (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    actor_id    BIGINT REFERENCES users (id),
    kind        TEXT NOT NULL,
    old_value   TEXT NOT NULL DEFAULT '',
    new_value   TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX activity_ticket ON activity (ticket_id, id);

-- The inbox's queues, newest activity first, paged by (last_activity_at, id).
CREATE INDEX tickets_status_activity ON tickets (status, last_activity_at DESC, id DESC);
CREATE INDEX tickets_assignee_activity ON tickets (assignee_id, last_activity_at DESC, id DESC);
