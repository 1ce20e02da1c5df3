-- What a sign-in came from and how a session ended (issue 12, "Technical
-- Data: browser type, device information … Session Data: Login times,
-- session duration"). browser, os and device are parsed from user_agent
-- once, when the row is written (internal/useragent); device is desktop,
-- mobile, tablet, tv, bot or unknown; '' on rows written before this
-- migration. A session is no longer deleted when it ends: ended_at and
-- end_reason ('logout', 'expired', 'revoked', 'replaced') record it, so its
-- duration stays known; retention deletes ended sessions after
-- DARGO_LOGIN_LOG_DAYS, erasure at once.
ALTER TABLE logins ADD COLUMN browser TEXT NOT NULL DEFAULT '';
ALTER TABLE logins ADD COLUMN os TEXT NOT NULL DEFAULT '';
ALTER TABLE logins ADD COLUMN device TEXT NOT NULL DEFAULT '';

ALTER TABLE sessions ADD COLUMN browser TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN os TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN ended_at TIMESTAMPTZ;
ALTER TABLE sessions ADD COLUMN end_reason TEXT NOT NULL DEFAULT ''
    CHECK (end_reason IN ('', 'logout', 'expired', 'revoked', 'replaced'));

-- The expiry sweep looks only at live sessions; retention at ended ones.
DROP INDEX sessions_expires;
CREATE INDEX sessions_live_expires ON sessions (expires_at, id) WHERE ended_at IS NULL;
CREATE INDEX sessions_ended ON sessions (ended_at) WHERE ended_at IS NOT NULL;
