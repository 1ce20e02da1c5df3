-- Auto-close, reopen windows and snooze (issue 18).
-- status_at is when the ticket took its current status (a staff reply to a
-- pending ticket restarts it too): the auto-close clock of a pending
-- ticket, the close clock of a resolved one, and the reopen window of a
-- closed one. autoclose_warned_at is when the customer was told the
-- pending ticket will close; a warning older than status_at belongs to an
-- earlier pending period. follow_up_of links a ticket opened by a reply
-- to a long-closed one to that ticket.
ALTER TABLE tickets ADD COLUMN status_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN autoclose_warned_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN snoozed_until TIMESTAMP;
ALTER TABLE tickets ADD COLUMN snoozed_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE tickets ADD COLUMN follow_up_of BIGINT REFERENCES tickets (id) ON DELETE SET NULL;
UPDATE tickets SET status_at = COALESCE((SELECT MAX(a.created_at) FROM activity a WHERE a.ticket_id = tickets.id AND a.kind = 'status'), updated_at);
CREATE INDEX tickets_status_at ON tickets (status, status_at);
CREATE INDEX tickets_snoozed ON tickets (snoozed_until) WHERE snoozed_until IS NOT NULL;
CREATE INDEX tickets_follow_up ON tickets (follow_up_of) WHERE follow_up_of IS NOT NULL;
