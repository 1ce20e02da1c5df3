-- Saved replies (issue 17): answers staff insert from the composer, with
-- placeholders filled from the ticket and actions applied when sent.
-- owner_id NULL is shared with every staff member; a staff id is personal.
CREATE TABLE saved_replies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    owner_id     BIGINT REFERENCES users (id) ON DELETE CASCADE,
    status       TEXT NOT NULL DEFAULT '',
    priority     TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL DEFAULT '',
    assignee_id  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    add_tags     TEXT NOT NULL DEFAULT '',
    uses         BIGINT NOT NULL DEFAULT 0,
    last_used_at TIMESTAMP,
    created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX saved_replies_owner ON saved_replies (owner_id, uses);
