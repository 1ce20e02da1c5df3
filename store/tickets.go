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

// Ticket returns the ticket with this id.
func (db *DB) Ticket(ctx context.Context, id int64) (*Ticket, error) {
	var t Ticket
	if err := db.X.GetContext(ctx, &t, db.q(`SELECT * FROM tickets WHERE id = ?`), id); err != nil {
		return nil, notFound(err, fmt.Sprintf("ticket %d", id))
	}
	return &t, nil
}
