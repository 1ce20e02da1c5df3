package store

import (
	"context"
	"fmt"
	"time"
)

// CcSuggestion is a person a mail named in To/Cc who did not become a
// participant; staff accept (the person then sees the ticket and gets its
// mail) or dismiss it.
type CcSuggestion struct {
	ID        int64      `db:"id"`
	TicketID  int64      `db:"ticket_id"`
	MessageID *int64     `db:"message_id"`
	Email     string     `db:"email"`
	Name      string     `db:"name"`
	Reason    string     `db:"reason"`
	Status    string     `db:"status"`
	DecidedBy *int64     `db:"decided_by"`
	DecidedAt *time.Time `db:"decided_at"`
	CreatedAt time.Time  `db:"created_at"`
}

// Audited decisions on suggestions.
const (
	AuditCcAccept  = "cc_accepted"
	AuditCcDismiss = "cc_dismissed"
)

// addCcs applies a mail's To/Cc to its ticket: a verified customer adds up
// to MaxCc new participants; everyone else named becomes a suggestion.
func (tx *Tx) addCcs(ctx context.Context, t Ticket, author, messageID int64, d *Delivery, now time.Time) error {
	if len(d.Cc) == 0 {
		return nil
	}
	var known []string
	err := tx.SelectContext(ctx, &known, tx.q(`SELECT u.email FROM participants p JOIN users u ON u.id = p.user_id WHERE p.ticket_id = ?`), t.ID)
	if err != nil {
		return fmt.Errorf("store: add cc: %w", err)
	}
	seen := make(map[string]bool, len(known))
	for _, e := range known {
		seen[e] = true
	}
	limit := d.MaxCc
	switch {
	case limit == 0:
		limit = DefaultMaxCc
	case limit < 0:
		limit = 0 // every Cc is a suggestion
	}
	why := ""
	switch {
	case d.Message.SenderAuth != SenderVerified:
		why = CcUnverified
	case t.CustomerID != author:
		why = CcNotCustomer
	}
	added, suggested := 0, 0
	for _, p := range d.Cc {
		email := NormalizeEmail(p.Email)
		if email == "" || seen[email] {
			continue
		}
		seen[email] = true
		if why == "" && added < limit {
			u, err := tx.upsertUser(ctx, p, now)
			if err != nil {
				return err
			}
			if err := tx.addParticipant(ctx, t.ID, u, "cc", now); err != nil {
				return err
			}
			added++
			continue
		}
		if suggested >= maxSuggestionsPerMail {
			break
		}
		reason := why
		if reason == "" {
			reason = CcOverCap
		}
		_, err := tx.ExecContext(ctx, tx.q(`INSERT INTO cc_suggestions (ticket_id, message_id, email, name, reason, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id, email) DO NOTHING`), t.ID, messageID, email, p.Name, reason, now)
		if err != nil {
			return fmt.Errorf("store: suggest cc: %w", err)
		}
		suggested++
	}
	return nil
}

// CcSuggestions returns a ticket's pending suggestions, oldest first.
func (db *DB) CcSuggestions(ctx context.Context, ticketID int64) ([]CcSuggestion, error) {
	var out []CcSuggestion
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM cc_suggestions WHERE ticket_id = ? AND status = 'pending' ORDER BY id`), ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: cc suggestions: %w", err)
	}
	return out, nil
}

// AcceptCc makes a pending suggestion a participant of its ticket, recorded
// in the ticket's history and the audit log. ErrNotFound when there is no
// such pending suggestion on the ticket.
func (db *DB) AcceptCc(ctx context.Context, ticketID, id, staffID int64) (*CcSuggestion, error) {
	var s CcSuggestion
	err := db.InTx(ctx, func(tx *Tx) error {
		if err := tx.decideCc(ctx, &s, ticketID, id, staffID, "accepted"); err != nil {
			return err
		}
		now := db.Now()
		u, err := tx.upsertUser(ctx, Person{Email: s.Email, Name: s.Name}, now)
		if err != nil {
			return err
		}
		if err := tx.addParticipant(ctx, ticketID, u, "cc", now); err != nil {
			return err
		}
		if err := tx.recordActivity(ctx, ticketID, staffID, "cc", "", s.Email, now); err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: staffID, Action: AuditCcAccept, UserID: u, TicketID: ticketID, Detail: map[string]any{"suggestion": s.ID}})
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// DismissCc drops pending suggestions of a ticket: the one with id, or all
// of them when id is 0. It returns how many it dismissed.
func (db *DB) DismissCc(ctx context.Context, ticketID, id, staffID int64) (int, error) {
	var n int64
	err := db.InTx(ctx, func(tx *Tx) error {
		q := `UPDATE cc_suggestions SET status = 'dismissed', decided_by = ?, decided_at = ? WHERE ticket_id = ? AND status = 'pending'`
		args := []any{staffID, db.Now(), ticketID}
		if id != 0 {
			q += ` AND id = ?`
			args = append(args, id)
		}
		res, err := tx.ExecContext(ctx, tx.q(q), args...)
		if err != nil {
			return fmt.Errorf("store: dismiss cc: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("store: dismiss cc: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("store: dismiss cc %d on ticket %d: %w", id, ticketID, ErrNotFound)
		}
		return tx.Audit(ctx, Audit{ActorID: staffID, Action: AuditCcDismiss, TicketID: ticketID, Detail: map[string]any{"count": n}})
	})
	return int(n), err
}

func (tx *Tx) decideCc(ctx context.Context, s *CcSuggestion, ticketID, id, staffID int64, status string) error {
	err := tx.QueryRowxContext(ctx, tx.q(`UPDATE cc_suggestions SET status = ?, decided_by = ?, decided_at = ?
		WHERE id = ? AND ticket_id = ? AND status = 'pending' RETURNING *`), status, staffID, tx.db.Now(), id, ticketID).StructScan(s)
	if err != nil {
		return notFound(err, fmt.Sprintf("cc suggestion %d", id))
	}
	return nil
}
