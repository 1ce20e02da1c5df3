-- Staff notifications (issue 14). What each staff member wants mailed:
-- one row per person who changed the defaults. categories is a
-- comma-separated list of followed categories ('' follows them all) for
-- new-ticket notices; away pauses every notice.
CREATE TABLE staff_prefs (
    user_id         BIGINT PRIMARY KEY REFERENCES users (id),
    new_ticket      BOOLEAN NOT NULL DEFAULT TRUE,
    customer_reply  BOOLEAN NOT NULL DEFAULT TRUE,
    assigned        BOOLEAN NOT NULL DEFAULT TRUE,
    mention         BOOLEAN NOT NULL DEFAULT TRUE,
    privacy_due     BOOLEAN NOT NULL DEFAULT TRUE,
    away            BOOLEAN NOT NULL DEFAULT FALSE,
    categories      TEXT NOT NULL DEFAULT '',
    updated_at      TIMESTAMP NOT NULL
);

-- Staff following a ticket get its customers' messages mailed. The
-- assignee follows automatically.
CREATE TABLE followers (
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX followers_user ON followers (user_id);

-- One thing a staff member is told about: it joins the notice mail
-- (emails row of kind staff_notice) still held for that person and ticket,
-- so a burst becomes one digest. Ids only: nothing personal is copied here.
CREATE TABLE staff_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    message_id  BIGINT,
    actor_id    BIGINT,
    detail      TEXT NOT NULL DEFAULT '',
    email_id    BIGINT,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX staff_events_email ON staff_events (email_id);
CREATE INDEX staff_events_ticket ON staff_events (ticket_id, kind);
CREATE INDEX staff_events_created ON staff_events (created_at);
