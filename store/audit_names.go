package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// AuditNames is who and what a page of the audit log names by id: the
// people (actors, users, assignees) and the tickets' numbers.
type AuditNames struct {
	Users   map[int64]User
	Tickets map[int64]int64 // ticket id → number
}

// AuditNames looks up the people with userIDs and the tickets with
// ticketIDs, so the audit log can say "Mia changed … on #12".
func (db *DB) AuditNames(ctx context.Context, userIDs, ticketIDs []int64) (*AuditNames, error) {
	out := &AuditNames{Users: map[int64]User{}, Tickets: map[int64]int64{}}
	if len(userIDs) > 0 {
		query, args, err := sqlx.In(`SELECT * FROM users WHERE id IN (?)`, userIDs)
		if err != nil {
			return nil, fmt.Errorf("store: audit names: %w", err)
		}
		var users []User
		if err := db.X.SelectContext(ctx, &users, db.q(query), args...); err != nil {
			return nil, fmt.Errorf("store: audit names: %w", err)
		}
		for _, u := range users {
			out.Users[u.ID] = u
		}
	}
	if len(ticketIDs) > 0 {
		query, args, err := sqlx.In(`SELECT id, number FROM tickets WHERE id IN (?)`, ticketIDs)
		if err != nil {
			return nil, fmt.Errorf("store: audit names: %w", err)
		}
		var rows []struct {
			ID     int64 `db:"id"`
			Number int64 `db:"number"`
		}
		if err := db.X.SelectContext(ctx, &rows, db.q(query), args...); err != nil {
			return nil, fmt.Errorf("store: audit names: %w", err)
		}
		for _, r := range rows {
			out.Tickets[r.ID] = r.Number
		}
	}
	return out, nil
}
