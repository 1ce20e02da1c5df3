-- Reports count tickets by how they came in (issue 18). A customer's
-- ticket now records it at creation in tickets.channel ('mail' or
-- 'portal', from its first message's source; 'staff' as before), so a
-- report reads it from the ticket rather than finding each ticket's first
-- message. Here tickets opened before record it: the source of their first
-- own message (at or after creation, not moved in by a merge in force), as
-- reports read it until now; a ticket with no such message keeps ''.
UPDATE tickets SET channel = CASE (
		SELECT m.source FROM messages m
		WHERE m.ticket_id = tickets.id AND m.created_at >= tickets.created_at
			AND NOT EXISTS (SELECT 1 FROM merge_moves mm JOIN merges g ON g.id = mm.merge_id
				WHERE mm.kind = 'message' AND mm.row_id = m.id AND g.undone_at IS NULL)
		ORDER BY m.created_at, m.id LIMIT 1)
	WHEN 'web' THEN 'portal' WHEN 'email' THEN 'mail' ELSE '' END
WHERE channel = '';
