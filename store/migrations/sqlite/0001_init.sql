CREATE TABLE users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    email       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'staff', 'admin')),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);


CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    number            BIGINT NOT NULL UNIQUE,
    customer_id       BIGINT NOT NULL REFERENCES users (id),
    assignee_id       BIGINT REFERENCES users (id),
    subject           TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
    priority          TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    category          TEXT NOT NULL DEFAULT 'general',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    last_activity_at  TIMESTAMP NOT NULL
);
CREATE INDEX tickets_customer ON tickets (customer_id);
CREATE INDEX tickets_activity ON tickets (last_activity_at DESC, id DESC);

CREATE TABLE participants (
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL CHECK (role IN ('customer', 'cc')),
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX participants_user ON participants (user_id);

CREATE TABLE inbound_mail (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    key           TEXT NOT NULL UNIQUE,
    ses_id        TEXT NOT NULL DEFAULT '',
    sender        TEXT NOT NULL DEFAULT '',
    recipients    TEXT NOT NULL DEFAULT '',
    size          BIGINT NOT NULL,
    blob_key      TEXT NOT NULL,
    verdicts      TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'quarantined')),
    action        TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    ticket_id     BIGINT REFERENCES tickets (id),
    message_id    BIGINT,
    received_at   TIMESTAMP NOT NULL,
    processed_at  TIMESTAMP
);
CREATE INDEX inbound_mail_status ON inbound_mail (status, received_at);

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id        BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author_id        BIGINT REFERENCES users (id),
    kind             TEXT NOT NULL CHECK (kind IN ('inbound', 'outbound', 'note')),
    source           TEXT NOT NULL CHECK (source IN ('email', 'web')),
    message_id       TEXT NOT NULL DEFAULT '',
    subject          TEXT NOT NULL DEFAULT '',
    text             TEXT NOT NULL DEFAULT '',
    visible_text     TEXT NOT NULL DEFAULT '',
    html             TEXT NOT NULL DEFAULT '',
    auto             INTEGER NOT NULL DEFAULT 0,
    inbound_mail_id  BIGINT REFERENCES inbound_mail (id),
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX messages_ticket ON messages (ticket_id, created_at);
CREATE INDEX messages_author ON messages (author_id);

CREATE TABLE thread_ids (
    message_id  TEXT PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    origin      TEXT NOT NULL CHECK (origin IN ('inbound', 'minted', 'ses')),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX thread_ids_ticket ON thread_ids (ticket_id);

-- Blobs are kept in chunks so that no single statement binds a 40 MB value.
CREATE TABLE blobs (
    key         TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    size        BIGINT NOT NULL,
    data        BLOB NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (key, seq)
);

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id    BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    content_id    TEXT NOT NULL DEFAULT '',
    inline        INTEGER NOT NULL DEFAULT 0,
    size          BIGINT NOT NULL,
    blob_key      TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

CREATE TABLE emails (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT REFERENCES users (id),
    to_email    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    ticket_id   BIGINT REFERENCES tickets (id) ON DELETE SET NULL,
    message_id  BIGINT REFERENCES messages (id) ON DELETE SET NULL,
    subject     TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'suppressed')),
    auto        INTEGER NOT NULL DEFAULT 0,
    reason      TEXT NOT NULL DEFAULT '',
    ses_id      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    sent_at     TIMESTAMP
);
CREATE INDEX emails_to ON emails (to_email, created_at);
CREATE INDEX emails_user ON emails (user_id);
CREATE INDEX emails_ses ON emails (ses_id) WHERE ses_id <> '';

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    email_id    BIGINT REFERENCES emails (id) ON DELETE CASCADE,
    payload     TEXT NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL,
    relayed_at  TIMESTAMP
);
CREATE INDEX outbox_pending ON outbox (id) WHERE relayed_at IS NULL;

CREATE TABLE suppressions (
    email       TEXT PRIMARY KEY,
    reason      TEXT NOT NULL,
    source      TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
