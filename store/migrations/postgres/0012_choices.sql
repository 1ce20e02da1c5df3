-- A person's choices about optional processing (issue 12, "Objection"):
-- kind 'mail' (non-essential mail: anything but replies and status changes on
-- their own tickets, sign-in and confirmation links, significant policy
-- notices) or 'analytics' (usage events). One row per person and kind, the
-- latest choice: objected or not, when, and who recorded it (NULL: the
-- person on /account; a staff member's id: an objection received by mail).
CREATE TABLE user_choices (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('mail', 'analytics')),
    objected    BOOLEAN NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL,
    changed_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (user_id, kind)
);
