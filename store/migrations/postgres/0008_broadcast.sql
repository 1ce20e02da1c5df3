-- A notice mailed once to every active user (a privacy-policy change).
-- Queueing walks the users by id in batches; last_user_id and queued_count
-- move in the same transaction as each batch's emails and outbox rows, so a
-- crash between or inside batches neither loses nor repeats anyone.
CREATE TABLE broadcasts (
    id            BIGSERIAL PRIMARY KEY,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_by    BIGINT,
    created_at    TIMESTAMPTZ NOT NULL,
    status        TEXT NOT NULL DEFAULT 'queueing' CHECK (status IN ('queueing', 'queued')),
    total         INTEGER NOT NULL DEFAULT 0,
    queued_count  INTEGER NOT NULL DEFAULT 0,
    last_user_id  BIGINT NOT NULL DEFAULT 0,
    queued_at     TIMESTAMPTZ
);

-- One mail per user per broadcast: the unique index makes queueing
-- idempotent (NULLs, every other mail, never collide).
ALTER TABLE emails ADD COLUMN broadcast_id BIGINT REFERENCES broadcasts (id);
CREATE UNIQUE INDEX emails_broadcast_user ON emails (broadcast_id, user_id);

-- Sending a mail looks up and updates its outbox row by email_id; with a
-- broadcast's thousands of rows in the outbox, that must not be a scan.
CREATE INDEX outbox_email ON outbox (email_id);
