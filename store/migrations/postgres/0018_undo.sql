-- Actions that forgive (issue 13). A staff reply's or status change's mail
-- waits in the outbox until not_before (DARGO_UNDO_SECONDS after the action):
-- the relay skips a row until then, so its author can still undo the action.
-- undo_actions is what one such action did, so that Undo can take it back:
-- the reply it wrote (message_id) and the status it changed (old → new).
-- The action's mails name it (emails.action_id); undoing it deletes them,
-- and their outbox rows with them.
CREATE TABLE undo_actions (
    id          BIGSERIAL PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    actor_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_id  BIGINT REFERENCES messages (id) ON DELETE SET NULL,
    old_status  TEXT NOT NULL DEFAULT '',
    new_status  TEXT NOT NULL DEFAULT '',
    not_before  TIMESTAMPTZ NOT NULL,
    undone_at   TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX undo_actions_actor ON undo_actions (actor_id, not_before);

ALTER TABLE outbox ADD COLUMN not_before TIMESTAMPTZ;
ALTER TABLE emails ADD COLUMN action_id BIGINT REFERENCES undo_actions (id) ON DELETE SET NULL;
-- The status a reply mail also announces ("resolved"): a reply that changes
-- the status is one mail, not a reply and a status mail.
ALTER TABLE emails ADD COLUMN announces TEXT NOT NULL DEFAULT '';
CREATE INDEX emails_action ON emails (action_id) WHERE action_id IS NOT NULL;

-- Idempotency keys of reply forms: a second post with the same key by the
-- same person is a no-op that answers with the first post's message.
CREATE TABLE reply_keys (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idem_key    TEXT NOT NULL,
    message_id  BIGINT REFERENCES messages (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
