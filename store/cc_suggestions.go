package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
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
func (tx *Tx) addCcs(ctx context.Context, t Ticket, author, messageID int64, d *Incoming, now time.Time) error {
	if len(d.Cc) == 0 {
		return nil
	}
	var known []string
	// People on the ticket, and people staff removed from it (who come
	// back only when staff add them), are neither added nor suggested.
	err := tx.SelectContext(ctx, &known, tx.q(`SELECT u.email FROM participants p JOIN users u ON u.id = p.user_id WHERE p.ticket_id = ?
		UNION SELECT u.email FROM participant_removals r JOIN users u ON u.id = r.user_id WHERE r.ticket_id = ?`), t.ID, t.ID)
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
	// The people this mail may add or suggest, each once; which of them
	// asked never to be recreated is one query for all.
	var people []Person
	for _, p := range d.Cc {
		email := NormalizeEmail(p.Email)
		if email == "" || seen[email] || len(people) == limit+maxSuggestionsPerMail {
			continue
		}
		seen[email] = true
		people = append(people, Person{Email: email, Name: p.Name})
	}
	blocked, err := tx.blockedAmong(ctx, people)
	if err != nil {
		return err
	}
	added, suggested := 0, 0
	for _, p := range people {
		if blocked[p.Email] {
			continue // an erased, blocked address is never brought back
		}
		if why == "" && added < limit {
			u, err := tx.upsertUser(ctx, p, now)
			if err != nil {
				return err
			}
			if err := tx.addParticipant(ctx, t.ID, u, ParticipantCc, now); err != nil {
				return err
			}
			added++
			continue
		}
		if suggested == maxSuggestionsPerMail {
			break
		}
		reason := why
		if reason == "" {
			reason = CcOverCap
		}
		if err := tx.suggest(ctx, t.ID, messageID, p, reason, now); err != nil {
			return err
		}
		suggested++
	}
	return nil
}

// blockedAmong returns which of the people's addresses are on the
// do-not-recreate list.
func (tx *Tx) blockedAmong(ctx context.Context, people []Person) (map[string]bool, error) {
	if len(people) == 0 {
		return nil, nil
	}
	byHash := make(map[string]string, len(people))
	for _, p := range people {
		byHash[BlockHash(p.Email)] = NormalizeEmail(p.Email)
	}
	query, args, err := sqlx.In(`SELECT hash FROM blocked_addresses WHERE hash IN (?)`, slices.Collect(maps.Keys(byHash)))
	if err != nil {
		return nil, fmt.Errorf("store: blocked addresses: %w", err)
	}
	var hashes []string
	if err := tx.SelectContext(ctx, &hashes, tx.q(query), args...); err != nil {
		return nil, fmt.Errorf("store: blocked addresses: %w", err)
	}
	out := make(map[string]bool, len(hashes))
	for _, h := range hashes {
		out[byHash[h]] = true
	}
	return out, nil
}

// suggest records a person for staff to add or dismiss; a person suggested
// on the ticket before (or dismissed) is not suggested again.
// The caller has made sure the address is not blocked.
func (tx *Tx) suggest(ctx context.Context, ticketID, messageID int64, p Person, reason string, now time.Time) error {
	_, err := tx.ExecContext(ctx, tx.q(`INSERT INTO cc_suggestions (ticket_id, message_id, email, name, reason, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id, email) DO NOTHING`), ticketID, messageID, NormalizeEmail(p.Email), p.Name, reason, now)
	if err != nil {
		return fmt.Errorf("store: suggest cc: %w", err)
	}
	return nil
}

// suggestAuthor suggests an unverified author who is not a participant
// (they wrote to a reply address they were never given, or that leaked).
func (tx *Tx) suggestAuthor(ctx context.Context, ticketID, author, messageID int64, from Person, now time.Time) error {
	var n int
	if err := tx.GetContext(ctx, &n, tx.q(`SELECT COUNT(*) FROM participants WHERE ticket_id = ? AND user_id = ?`), ticketID, author); err != nil {
		return fmt.Errorf("store: suggest author: %w", err)
	}
	if n > 0 {
		return nil
	}
	if blocked, err := tx.blockedAmong(ctx, []Person{from}); err != nil || len(blocked) > 0 {
		return err
	}
	return tx.suggest(ctx, ticketID, messageID, from, CcUnverified, now)
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
		if blocked, err := tx.db.isBlocked(ctx, tx.Tx, s.Email); err != nil || blocked {
			if err == nil {
				err = fmt.Errorf("store: accept cc %d: the address was erased and blocked: %w", id, ErrNotFound)
			}
			return err
		}
		u, err := tx.upsertUser(ctx, Person{Email: s.Email, Name: s.Name}, now)
		if err != nil {
			return err
		}
		if err := tx.addParticipant(ctx, ticketID, u, ParticipantCc, now); err != nil {
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
