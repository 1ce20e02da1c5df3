-- What an inbox row shows of a ticket's messages (issue 13, "Speed"): the
-- count of messages other than notes, the newest of them (id, kind, time
-- and the start of its text, for the preview and "waiting"), and the
-- newest customer message (for the unread mark). A list page reads it by
-- key for its 50 tickets, where four lookups in each ticket's messages
-- cost most of the page. The store recomputes a ticket's row in every
-- transaction that adds, deletes or blanks its messages
-- (store/ticket_rows.go); the backfill below is the same statement.
CREATE TABLE ticket_rows (
    ticket_id        BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    messages         INTEGER NOT NULL DEFAULT 0,
    last_id          BIGINT,
    last_kind        TEXT NOT NULL DEFAULT '',
    last_at          TIMESTAMPTZ,
    preview          TEXT NOT NULL DEFAULT '',
    last_inbound_id  BIGINT NOT NULL DEFAULT 0
);

INSERT INTO ticket_rows (ticket_id, messages, last_id, last_kind, last_at, preview, last_inbound_id)
    SELECT t.id,
        (SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id AND m.kind <> 'note'),
        l.id, COALESCE(l.kind, ''), l.created_at, COALESCE(substr(l.visible_text, 1, 600), ''),
        COALESCE((SELECT m.id FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'inbound' ORDER BY m.id DESC LIMIT 1), 0)
    FROM tickets t
    LEFT JOIN messages l ON l.id = (SELECT m.id FROM messages m WHERE m.ticket_id = t.id AND m.kind <> 'note' ORDER BY m.id DESC LIMIT 1);
