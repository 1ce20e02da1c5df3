-- How customers see a staff member (issue 13, "Agents are people"): the
-- display name their replies carry in the From header ("Mia from Dargo
-- Support" <the desk's address>) and the signature appended to those
-- replies. Only staff and admins have one; the address is never theirs.
-- display_name is one clean line (store.CleanDisplayName), signature plain
-- text; '' means not set. Erasure deletes the row with the person.
CREATE TABLE staff_profiles (
    user_id       BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    display_name  TEXT NOT NULL DEFAULT '',
    signature     TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMPTZ NOT NULL
);
