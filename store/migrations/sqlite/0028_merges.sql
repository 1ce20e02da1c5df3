-- Merging tickets (issue 17). A merged ticket keeps its row, closed, with
-- merged_into naming the ticket it continues as, so its reply address,
-- Message-IDs and [#N] resolve there (store.Survivor follows the chain).
-- merges records each merge and merge_moves the exact rows it moved, so an
-- undo within the window moves back those rows and no others.
ALTER TABLE tickets ADD COLUMN merged_into BIGINT REFERENCES tickets (id);
ALTER TABLE tickets ADD COLUMN merged_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN merged_by BIGINT REFERENCES users (id);

CREATE TABLE merges (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    into_id      BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    actor_id     BIGINT REFERENCES users (id),
    prev_status  TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    undone_at    TIMESTAMP
);
CREATE INDEX merges_ticket ON merges (ticket_id);

CREATE TABLE merge_moves (
    merge_id  BIGINT NOT NULL REFERENCES merges (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('message', 'participant')),
    row_id    BIGINT NOT NULL,
    PRIMARY KEY (merge_id, kind, row_id)
);

-- The one short notice a merge queues to a merged ticket's customer waits
-- in the outbox until the undo window has passed; an undo deletes it.
ALTER TABLE emails ADD COLUMN merge_id BIGINT REFERENCES merges (id) ON DELETE SET NULL;
CREATE INDEX emails_merge ON emails (merge_id) WHERE merge_id IS NOT NULL;
