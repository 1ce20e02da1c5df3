-- How sure we are of who sent a message (issue 11): 'verified' (reply address,
-- aligned DKIM/SPF, DMARC pass, a trusted Authentication-Results) or
-- 'unverified'. Web messages are written by a signed-in person: verified.
-- Mail received before the check existed is marked unverified, honestly.
ALTER TABLE messages ADD COLUMN sender_auth TEXT NOT NULL DEFAULT 'unverified';
ALTER TABLE messages ADD COLUMN sender_auth_reason TEXT NOT NULL DEFAULT '';
UPDATE messages SET sender_auth = 'verified', sender_auth_reason = 'written by a signed-in person' WHERE source = 'web' OR kind <> 'inbound';
UPDATE messages SET sender_auth_reason = 'received before sender checks existed' WHERE sender_auth = 'unverified';

-- People named in To/Cc of a mail who did not become participants: the mail
-- was unverified, came from someone other than the customer, or named more
-- than DARGO_MAX_CC people. Staff accept (adds the participant) or dismiss.
CREATE TABLE cc_suggestions (
    id          BIGSERIAL PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    message_id  BIGINT REFERENCES messages (id) ON DELETE SET NULL,
    email       TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL CHECK (reason IN ('unverified', 'over_cap', 'not_customer')),
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'dismissed')),
    decided_by  BIGINT REFERENCES users (id),
    decided_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (ticket_id, email)
);
CREATE INDEX cc_suggestions_email ON cc_suggestions (email);
