package store

import (
	"context"
	"fmt"
	"time"
)

// recordMail is RecordInbound for an inbound mail on PostgreSQL, after
// claimAndRoute: the author and the ticket in one statement (a new ticket
// with its customer as participant; or the existing one locked, with
// whether staff removed the author from it), then the message.
func (tx *Tx) recordMail(ctx context.Context, d *Incoming, keys []string, out *Recorded, now time.Time) error {
	var row struct {
		Ticket
		Author  int64 `db:"author_"`
		Removed bool  `db:"removed_"`
		Joined  bool  `db:"joined_"` // the author is a participant already
	}
	// The author's language ($4, see firstLanguage) goes on their row in
	// the upsert itself; on a merged record's survivor, in lang (another
	// row: one statement must not change a row twice).
	user := `u AS (INSERT INTO users (email, name, role, language, created_at, updated_at) VALUES ($1, $2, 'customer', $4, $3, $3)
		ON CONFLICT (email) DO UPDATE SET name = CASE WHEN users.name = '' THEN excluded.name ELSE users.name END,
			language = CASE WHEN users.language = '' AND users.merged_into IS NULL THEN excluded.language ELSE users.language END
		RETURNING id AS own, COALESCE(merged_into, id) AS id),
		lang AS (UPDATE users SET language = $4 WHERE $4 <> '' AND language = '' AND id = (SELECT id FROM u WHERE id <> own))`
	if d.TicketID == 0 {
		category, priority := d.Category, d.Priority
		if category == "" {
			category = "general"
		}
		if priority == "" {
			priority = "normal"
		}
		err := tx.QueryRowxContext(ctx, `WITH `+user+`,
			t AS (INSERT INTO tickets (number, customer_id, subject, status, priority, category, flag, created_at, updated_at, last_activity_at, status_at, channel)
				SELECT nextval('ticket_numbers'), u.id, $5, 'open', $6, $7, $8, $3, $3, $3, $3, $9 FROM u RETURNING *),
			p AS (INSERT INTO participants (ticket_id, user_id, role, created_at) SELECT t.id, t.customer_id, 'customer', $3 FROM t
				ON CONFLICT (ticket_id, user_id) DO NOTHING)
			SELECT t.*, t.customer_id AS author_, FALSE AS removed_, TRUE AS joined_ FROM t`,
			NormalizeEmail(d.From.Email), d.From.Name, now, d.Language, d.Subject, priority, category, d.Flag, channelOf(d.Message.Source)).StructScan(&row)
		if err != nil {
			return fmt.Errorf("store: create ticket: %w", err)
		}
		out.Created = true
		return tx.recordMessage(ctx, d, keys, out, row.Ticket, row.Author, map[int64]bool{}, true, now)
	}
	err := tx.QueryRowxContext(ctx, `WITH `+user+`
		SELECT t.*, u.id AS author_, EXISTS (SELECT 1 FROM participant_removals r WHERE r.ticket_id = t.id AND r.user_id = u.id) AS removed_,
			EXISTS (SELECT 1 FROM participants p WHERE p.ticket_id = t.id AND p.user_id = u.id) AS joined_
		FROM tickets t, u WHERE t.id = $5 FOR NO KEY UPDATE OF t`,
		NormalizeEmail(d.From.Email), d.From.Name, now, d.Language, d.TicketID).StructScan(&row)
	if err != nil {
		return notFound(err, "deliver")
	}
	t, author := row.Ticket, row.Author
	var removed map[int64]bool
	member := false
	if t.MergedInto != nil { // merged meanwhile: the survivor, as ever
		if t, err = tx.liveTicket(ctx, t.ID); err != nil {
			return err
		}
	} else {
		removed, member = map[int64]bool{author: row.Removed}, row.Joined
	}
	old, err := tx.followUp(ctx, &t, author, d, now)
	if err != nil {
		return err
	}
	if old != nil {
		if err := tx.openFollowUp(ctx, &t, *old, author, d, now); err != nil {
			return err
		}
		out.Created, removed, member = true, nil, false
	}
	return tx.recordMessage(ctx, d, keys, out, t, author, removed, member, now)
}
