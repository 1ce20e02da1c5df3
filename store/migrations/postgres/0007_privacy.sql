-- Who did what, for privacy and security reviews. It names people by id
-- only, so erasing a person leaves nothing of them here.
CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    actor_id    BIGINT,
    action      TEXT NOT NULL,
    user_id     BIGINT,
    ticket_id   BIGINT,
    detail      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at, id);
CREATE INDEX audit_log_action ON audit_log (action, id);

-- Addresses erased at their owner's request who asked not to be recreated:
-- only a hash of the address.
CREATE TABLE blocked_addresses (
    hash        TEXT PRIMARY KEY,
    created_at  TIMESTAMPTZ NOT NULL
);

-- What a sign-in token does when confirmed: sign in, change the address of
-- user_id to email, or erase user_id.
ALTER TABLE login_tokens ADD COLUMN purpose TEXT NOT NULL DEFAULT 'login';
ALTER TABLE login_tokens ADD COLUMN user_id BIGINT;

ALTER TABLE users ADD COLUMN erased_at TIMESTAMPTZ;
