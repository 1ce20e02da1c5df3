package store

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"

	"github.com/jmoiron/sqlx"
)

// Participant is a person on a ticket: its customer, or someone copied in
// (role cc). Participants see the ticket in their portal and get its mail.
type Participant struct {
	UserID    int64      `db:"user_id"`
	Email     string     `db:"email"`
	Name      string     `db:"name"`
	Role      string     `db:"role"` // customer or cc
	ErasedAt  *time.Time `db:"erased_at"`
	CreatedAt time.Time  `db:"created_at"`
}

// Recipient is a participant as one kind of the ticket's mail sees them:
// Skip says why they get no copy ("" means they get one).
type Recipient struct {
	Participant
	Skip string `db:"skip"`
}

// SkipErased is why an erased participant gets no mail.
const SkipErased = "erased"

// Errors adding a participant.
var (
	ErrBadAddress      = errors.New("store: not an email address")
	ErrStaffAddress    = errors.New("store: the address belongs to staff")
	ErrCustomerStays   = errors.New("store: a ticket's customer cannot be removed")
	ErrAlreadyOnTicket = errors.New("store: already on the ticket")
)

// Audited changes to a ticket's participants (staff adding someone by hand;
// accepting a suggestion is AuditCcAccept).
const (
	AuditParticipantAdd    = "participant_added"
	AuditParticipantRemove = "participant_removed"
)

// Recipients returns everyone on the ticket, the customer first, and why
// each would not get mail of this kind. It is the rule sending uses
// (notifyParticipants), so what the composer shows is who gets the reply.
func (db *DB) Recipients(ctx context.Context, ticketID int64, kind string) ([]Recipient, error) {
	return db.recipients(ctx, db.X, ticketID, kind)
}

// recipients reads the participants and, in the same query, mailGate's
// verdict on each address for the kind.
func (db *DB) recipients(ctx context.Context, q sqlx.QueryerContext, ticketID int64, kind string) ([]Recipient, error) {
	g := mailGate(kind, "u.email", "u.id")
	out := []Recipient{}
	err := sqlx.SelectContext(ctx, q, &out, db.q(`SELECT p.user_id, u.email, u.name, p.role, u.erased_at, p.created_at,
		CASE WHEN u.erased_at IS NOT NULL THEN '`+SkipErased+`' ELSE `+g.reason+` END AS skip
		FROM participants p JOIN users u ON u.id = p.user_id `+g.joins+`
		WHERE p.ticket_id = ? ORDER BY p.role DESC, u.id`), ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: recipients: %w", err)
	}
	return out, nil
}

// ParseAddress reads "Name <addr>" or a bare address, as staff type it;
// name, when given, wins over the one in raw.
func ParseAddress(raw, name string) (Person, error) {
	a, err := mail.ParseAddress(raw)
	if err != nil || a.Address == "" {
		return Person{}, fmt.Errorf("%w: %q", ErrBadAddress, raw)
	}
	p := Person{Email: NormalizeEmail(a.Address), Name: a.Name}
	if name != "" {
		p.Name = name
	}
	return p, nil
}

// AddParticipant puts a person on a ticket as staff's trusted act: they
// then see it in their portal and get its mail. The change is recorded in
// the ticket's history and the audit log; a removal recorded before is
// lifted. Staff addresses, and addresses erased and blocked, are refused.
func (db *DB) AddParticipant(ctx context.Context, ticketID, staffID int64, p Person) (*Participant, error) {
	p.Email = NormalizeEmail(p.Email)
	var out Participant
	err := db.InTx(ctx, func(tx *Tx) error {
		now := db.Now()
		if blocked, err := db.isBlocked(ctx, tx.Tx, p.Email); err != nil || blocked {
			if err == nil {
				err = ErrAddressBlocked
			}
			return err
		}
		var role string
		err := tx.GetContext(ctx, &role, tx.q(`SELECT role FROM users WHERE email = ?`), p.Email)
		if err == nil && role != RoleCustomer {
			return ErrStaffAddress
		}
		u, err := tx.upsertUser(ctx, p, now)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, tx.q(`INSERT INTO participants (ticket_id, user_id, role, created_at) VALUES (?, ?, 'cc', ?)
			ON CONFLICT (ticket_id, user_id) DO NOTHING`), ticketID, u, now)
		if err != nil {
			return fmt.Errorf("store: add participant: %w", err)
		}
		if err := tx.GetContext(ctx, &out, tx.q(`SELECT p.user_id, u.email, u.name, p.role, u.erased_at, p.created_at
			FROM participants p JOIN users u ON u.id = p.user_id WHERE p.ticket_id = ? AND p.user_id = ?`), ticketID, u); err != nil {
			return notFound(err, "participant")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrAlreadyOnTicket
		}
		if _, err := tx.ExecContext(ctx, tx.q(`DELETE FROM participant_removals WHERE ticket_id = ? AND user_id = ?`), ticketID, u); err != nil {
			return fmt.Errorf("store: add participant: %w", err)
		}
		if err := tx.recordActivity(ctx, ticketID, staffID, "cc", "", p.Email, now); err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: staffID, Action: AuditParticipantAdd, UserID: u, TicketID: ticketID})
	})
	if errors.Is(err, ErrAlreadyOnTicket) {
		return &out, err
	}
	if err != nil {
		return nil, fmt.Errorf("store: add participant to ticket %d: %w", ticketID, err)
	}
	return &out, nil
}

// RemoveParticipant takes a person off a ticket: they no longer see it in
// their portal, mail to them about it that is still queued is not sent,
// and no later mail is queued for them. Their own mail to the ticket no
// longer brings them back, nor does a customer's Cc; staff can add them
// again. The ticket's customer cannot be removed (ErrCustomerStays); a
// person not on the ticket is ErrNotFound.
func (db *DB) RemoveParticipant(ctx context.Context, ticketID, userID, staffID int64) (*Participant, error) {
	var out Participant
	err := db.InTx(ctx, func(tx *Tx) error {
		now := db.Now()
		err := tx.GetContext(ctx, &out, tx.q(`SELECT p.user_id, u.email, u.name, p.role, u.erased_at, p.created_at
			FROM participants p JOIN users u ON u.id = p.user_id WHERE p.ticket_id = ? AND p.user_id = ?`), ticketID, userID)
		if err != nil {
			return notFound(err, fmt.Sprintf("participant %d", userID))
		}
		var customer int64
		if err := tx.GetContext(ctx, &customer, tx.q(`SELECT customer_id FROM tickets WHERE id = ?`), ticketID); err != nil {
			return notFound(err, "ticket")
		}
		if out.Role == ParticipantCustomer || customer == userID {
			return ErrCustomerStays
		}
		for _, st := range []struct {
			query string
			args  []any
		}{
			{`DELETE FROM participants WHERE ticket_id = ? AND user_id = ?`, []any{ticketID, userID}},
			{`INSERT INTO participant_removals (ticket_id, user_id, removed_by, removed_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (ticket_id, user_id) DO UPDATE SET removed_by = excluded.removed_by, removed_at = excluded.removed_at`,
				[]any{ticketID, userID, staffID, now}},
			{`UPDATE emails SET status = ?, reason = ? WHERE ticket_id = ? AND user_id = ? AND status = ?`,
				[]any{EmailSuppressed, ReasonRemoved, ticketID, userID, EmailQueued}},
		} {
			if _, err := tx.ExecContext(ctx, tx.q(st.query), st.args...); err != nil {
				return fmt.Errorf("store: remove participant: %w", err)
			}
		}
		if err := tx.recordActivity(ctx, ticketID, staffID, "cc", out.Email, "", now); err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: staffID, Action: AuditParticipantRemove, UserID: userID, TicketID: ticketID})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ReasonRemoved is the reason on a queued mail not sent because staff
// removed its recipient from the ticket.
const ReasonRemoved = "removed from the ticket"

// removedFrom returns which of the users staff removed from the ticket.
func (tx *Tx) removedFrom(ctx context.Context, ticketID int64, userIDs ...int64) (map[int64]bool, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	query, args, err := sqlx.In(`SELECT user_id FROM participant_removals WHERE ticket_id = ? AND user_id IN (?)`, ticketID, userIDs)
	if err != nil {
		return nil, fmt.Errorf("store: removed participants: %w", err)
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, tx.q(query), args...); err != nil {
		return nil, fmt.Errorf("store: removed participants: %w", err)
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
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

// IsParticipantUser reports whether the user takes part in the ticket
// (as its customer or on Cc).
func (db *DB) IsParticipantUser(ctx context.Context, ticketID, userID int64) (bool, error) {
	var n int
	err := db.X.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM participants WHERE ticket_id = ? AND user_id = ?`), ticketID, userID)
	if err != nil {
		return false, fmt.Errorf("store: is participant: %w", err)
	}
	return n > 0, nil
}
