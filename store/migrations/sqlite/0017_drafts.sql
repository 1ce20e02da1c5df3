-- What a person is writing and has not sent (issue 13, "Never lose a word").
-- A draft is one per person and ticket: a staff reply or note, a
-- customer's portal reply, or (ticket_id 0) a customer's new-ticket form
-- with its subject. The page saves it as they type and on every error, and
-- sending deletes it. Other staff see that a colleague has one. Drafts
-- untouched for 14 days are swept (store.DraftsKept); erasure deletes them.
CREATE TABLE drafts (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_id   BIGINT NOT NULL,              -- 0: the new-ticket form
    kind        TEXT NOT NULL CHECK (kind IN ('reply', 'note', 'new')),
    subject     TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, ticket_id)
);
CREATE INDEX drafts_ticket ON drafts (ticket_id);
CREATE INDEX drafts_updated ON drafts (updated_at);

-- Files a form accepted and has not sent yet, kept against the person's
-- draft so that a form shown again (an error, a reload) still has them.
-- Their bytes are blobs under "stage/<sha256>" (not the attachments'
-- "att/" keys, so sweeping one table never deletes the other's bytes);
-- sending copies them into attachments and deletes these rows. Rows older
-- than 14 days are swept with their bytes; erasure ages them for that sweep.
CREATE TABLE staged_files (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_id     BIGINT NOT NULL,            -- 0: the new-ticket form
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    blob_key      TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX staged_files_owner ON staged_files (user_id, ticket_id);
CREATE INDEX staged_files_created ON staged_files (created_at);
CREATE INDEX staged_files_blob ON staged_files (blob_key);
