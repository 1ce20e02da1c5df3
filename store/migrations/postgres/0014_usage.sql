-- First-party usage analytics (issue 12, "Usage Data"). A raw event is a
-- page view (a route pattern such as "GET /tickets/{number}", never a URL)
-- or a feature used ("reply_sent"), by a pseudonym: HMAC-SHA256 of the user
-- id under the month's random key in usage_keys. Raw events are deleted
-- after DARGO_USAGE_DAYS by the retention sweep, which first adds each
-- finished day to usage_daily and usage_days (counts only, kept). A month's
-- key is deleted once none of its events remain: its pseudonyms can then
-- never be linked to anyone again.
CREATE TABLE usage_keys (
    month       TEXT PRIMARY KEY,             -- 'YYYY-MM', UTC
    secret      TEXT NOT NULL,                -- 32 random bytes, hex
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE usage_events (
    id         BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    pseudonym  TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('page', 'feature')),
    name       TEXT NOT NULL,
    audience   TEXT NOT NULL CHECK (audience IN ('customer', 'staff'))
);
CREATE INDEX usage_events_at ON usage_events (at);
CREATE INDEX usage_events_pseudonym ON usage_events (pseudonym);

-- Per finished UTC day ('YYYY-MM-DD'): how often each page and feature was used.
CREATE TABLE usage_daily (
    day       TEXT NOT NULL,
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    audience  TEXT NOT NULL,
    count     BIGINT NOT NULL,
    PRIMARY KEY (day, kind, name, audience)
);

-- Per finished UTC day: distinct pseudonyms seen. A row means the day has
-- been added up, so the sweep never counts a day twice.
CREATE TABLE usage_days (
    day               TEXT PRIMARY KEY,
    active_users      BIGINT NOT NULL,
    active_customers  BIGINT NOT NULL,
    active_staff      BIGINT NOT NULL
);

-- /admin/usage counts tickets opened per day and channel.
CREATE INDEX IF NOT EXISTS tickets_created ON tickets (created_at);
