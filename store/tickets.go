package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// TicketByNumber returns the ticket with this number.
func (db *DB) TicketByNumber(ctx context.Context, number int64) (*Ticket, error) {
	var t Ticket
	if err := db.X.GetContext(ctx, &t, db.q(`SELECT * FROM tickets WHERE number = ?`), number); err != nil {
		return nil, notFound(err, fmt.Sprintf("ticket #%d", number))
	}
	return &t, nil
}

// TicketByThreadIDs returns the ticket that any of the Message-IDs belongs to
// (inbound ids, ids we minted, ids SES assigned). The latest id wins when they
// point at different tickets, so pass References oldest first.
func (db *DB) TicketByThreadIDs(ctx context.Context, ids []string) (*Ticket, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("store: ticket by thread ids: %w", ErrNotFound)
	}
	ids = canonicalIDs(ids)
	query, args, err := sqlx.In(`SELECT message_id, ticket_id FROM thread_ids WHERE message_id IN (?)`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: ticket by thread ids: %w", err)
	}
	var rows []struct {
		MessageID string `db:"message_id"`
		TicketID  int64  `db:"ticket_id"`
	}
	if err := db.X.SelectContext(ctx, &rows, db.q(query), args...); err != nil {
		return nil, fmt.Errorf("store: ticket by thread ids: %w", err)
	}
	found := map[string]int64{}
	for _, r := range rows {
		found[r.MessageID] = r.TicketID
	}
	for i := len(ids) - 1; i >= 0; i-- {
		if id, ok := found[ids[i]]; ok {
			var t Ticket
			if err := db.X.GetContext(ctx, &t, db.q(`SELECT * FROM tickets WHERE id = ?`), id); err != nil {
				return nil, notFound(err, "ticket by thread ids")
			}
			return &t, nil
		}
	}
	return nil, fmt.Errorf("store: ticket by thread ids: %w", ErrNotFound)
}

// ThreadIDExists reports whether a Message-ID was seen or sent before.
func (db *DB) ThreadIDExists(ctx context.Context, id string) (bool, error) {
	var n int
	if err := db.X.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM thread_ids WHERE message_id = ?`), CanonicalID(id)); err != nil {
		return false, fmt.Errorf("store: thread id exists: %w", err)
	}
	return n > 0, nil
}

// IsParticipant reports whether email takes part in the ticket (its customer or a Cc):
// the address of a record merged into a participant does.
func (db *DB) IsParticipant(ctx context.Context, ticketID int64, email string) (bool, error) {
	var n int
	err := db.X.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM participants p JOIN users u ON COALESCE(u.merged_into, u.id) = p.user_id
		WHERE p.ticket_id = ? AND u.email = ?`), ticketID, NormalizeEmail(email))
	if err != nil {
		return false, fmt.Errorf("store: is participant: %w", err)
	}
	return n > 0, nil
}

// Messages returns a ticket's messages, oldest first.
func (db *DB) Messages(ctx context.Context, ticketID int64) ([]Message, error) {
	var out []Message
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM messages WHERE ticket_id = ? ORDER BY created_at, id`), ticketID); err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	return out, nil
}

// Attachments returns the attachments of a message.
func (db *DB) Attachments(ctx context.Context, messageID int64) ([]Attachment, error) {
	var out []Attachment
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM attachments WHERE message_id = ? ORDER BY id`), messageID); err != nil {
		return nil, fmt.Errorf("store: attachments: %w", err)
	}
	return out, nil
}

// UserByEmail returns the user with this address (case-insensitive): for
// the address of a record merged into another, the person it was merged
// into.
func (db *DB) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	if err := db.X.GetContext(ctx, &u, db.q(`SELECT * FROM users WHERE id = (SELECT COALESCE(merged_into, id) FROM users WHERE email = ?)`),
		NormalizeEmail(email)); err != nil {
		return nil, notFound(err, "user "+email)
	}
	return &u, nil
}

// Ticket returns the ticket with this id.
func (db *DB) Ticket(ctx context.Context, id int64) (*Ticket, error) {
	var t Ticket
	if err := db.X.GetContext(ctx, &t, db.q(`SELECT * FROM tickets WHERE id = ?`), id); err != nil {
		return nil, notFound(err, fmt.Sprintf("ticket %d", id))
	}
	return &t, nil
}
