-- Published versions of the privacy policy and the terms (issue 12): every
-- version is kept and readable. version counts 1, 2, 3… per kind. The one in
-- force is the highest version whose effective date has come; with none,
-- the embedded default is shown.
-- A significant version is also announced: broadcast_id is the broadcast
-- that mails the notice (set once, in the transaction that starts it) and
-- notices_done_at is when every open or pending ticket got its notice, so a
-- publish killed between its steps resumes where it stopped.
CREATE TABLE policy_versions (
    id               BIGSERIAL PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('privacy', 'terms')),
    version          INTEGER NOT NULL CHECK (version > 0),
    text             TEXT NOT NULL,
    summary          TEXT NOT NULL DEFAULT '',
    effective_at     TIMESTAMPTZ NOT NULL,
    significant      BOOLEAN NOT NULL DEFAULT FALSE,
    published_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    published_at     TIMESTAMPTZ NOT NULL,
    broadcast_id     BIGINT REFERENCES broadcasts (id),
    notices_done_at  TIMESTAMPTZ,
    UNIQUE (kind, version)
);

-- A signed-in person closed the banner of a significant version: never again
-- for that version.
CREATE TABLE policy_dismissals (
    user_id            BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    policy_version_id  BIGINT NOT NULL REFERENCES policy_versions (id) ON DELETE CASCADE,
    dismissed_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, policy_version_id)
);

-- The notice a significant version puts into each open or pending ticket's
-- thread (shown, never mailed): one per ticket and version.
CREATE TABLE ticket_policy_notices (
    ticket_id          BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    policy_version_id  BIGINT NOT NULL REFERENCES policy_versions (id) ON DELETE CASCADE,
    created_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (ticket_id, policy_version_id)
);

-- What a broadcast's mails are: an ordinary notice, or a significant policy
-- change's (essential: sent even to people who object to optional mail).
ALTER TABLE broadcasts ADD COLUMN kind TEXT NOT NULL DEFAULT 'broadcast' CHECK (kind IN ('broadcast', 'policy_notice'));
