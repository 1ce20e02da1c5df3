-- The Message-ID we minted for each sent mail, and the dev outbox.
ALTER TABLE emails ADD COLUMN header_id TEXT NOT NULL DEFAULT '';
ALTER TABLE emails ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

CREATE INDEX thread_ids_ticket_time ON thread_ids (ticket_id, created_at);

CREATE TABLE dev_mail (
    id          BIGSERIAL PRIMARY KEY,
    email_id    BIGINT,
    sender      TEXT NOT NULL,
    recipients  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    raw         BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX dev_mail_created ON dev_mail (created_at);
