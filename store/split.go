package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AuditTicketSplit is a message split off into a new ticket; it is
// recorded on both tickets. Detail: split (id), message (id), from_number,
// into_number, side ("from" on the original, "into" on the new ticket).
const AuditTicketSplit = "ticket_split"

// Activity kinds a split records in both tickets' history.
const (
	ActivitySplitInto = "split_into" // on the original: new_value is "#M"
	ActivitySplitFrom = "split_from" // on the new ticket: old_value is "#N"
)

// SplitRefused is a split the store will not do; Reason says why in words
// staff read.
type SplitRefused struct{ Reason string }

func (e *SplitRefused) Error() string { return "store: split refused: " + e.Reason }

func refuseSplit(format string, args ...any) error {
	return &SplitRefused{Reason: fmt.Sprintf(format, args...)}
}

// Split is one message split off a ticket into a new one.
type Split struct {
	ID         int64     `db:"id"`
	TicketID   int64     `db:"ticket_id"` // the original
	IntoID     int64     `db:"into_id"`   // the new ticket
	MessageID  *int64    `db:"message_id"`
	ActorID    *int64    `db:"actor_id"`
	CreatedAt  time.Time `db:"created_at"`
	Number     int64     `db:"number"` // the original's number
	IntoNumber int64     `db:"into_number"`
	Subject    string    `db:"subject"` // the original's subject
	IntoSubj   string    `db:"into_subject"`
}

// SplitRequest asks to split message MessageID off ticket TicketID.
type SplitRequest struct {
	TicketID  int64
	MessageID int64
	ActorID   int64
	// Subject is the new ticket's subject; "" takes the mail's own subject,
	// or the original's when the mail had none.
	Subject string
}

// SplitMessage makes a new ticket from one customer message, in one
// transaction: the message moves there with its files and its Message-ID
// (so answers in that mail's thread reach the new ticket, while the
// original's reply address, [#N] and other ids keep reaching the
// original), its author becomes the new ticket's customer and only
// participant, priority, category and assignee are copied (a privacy
// request's category is not: the new ticket is general), and both tickets
// get a history line and an audit entry. No mail goes to anybody.
//
// Refused (*SplitRefused): a merged ticket, an erased person's ticket, a note or staff reply, the
// ticket's first message (it is what the ticket is about: split the others
// off instead), a message from an erased person or from staff, and a
// message no longer on the ticket (split already: of two at once, one wins).
func (db *DB) SplitMessage(ctx context.Context, req SplitRequest) (*Split, error) {
	var out *Split
	err := db.inTxRetry(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.splitMessage(ctx, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (tx *Tx) splitMessage(ctx context.Context, req SplitRequest) (*Split, error) {
	lock := ""
	if tx.db.Dialect == Postgres {
		lock = " FOR UPDATE" // SQLite: the IMMEDIATE transaction holds the write lock already
	}
	var t Ticket
	if err := tx.GetContext(ctx, &t, tx.q(`SELECT * FROM tickets WHERE id = ?`+lock), req.TicketID); err != nil {
		return nil, notFound(err, "split: ticket")
	}
	if t.MergedInto != nil {
		return nil, refuseSplit("#%d is merged into another ticket; split from that one", t.Number)
	}
	var erased int
	if err := tx.GetContext(ctx, &erased, tx.q(`SELECT COUNT(*) FROM users WHERE id = ? AND erased_at IS NOT NULL`), t.CustomerID); err != nil {
		return nil, fmt.Errorf("store: split: %w", err)
	}
	if erased > 0 {
		return nil, refuseSplit("#%d belongs to a person whose data was erased", t.Number)
	}
	var m Message
	if err := tx.GetContext(ctx, &m, tx.q(`SELECT * FROM messages WHERE id = ?`), req.MessageID); err != nil {
		return nil, notFound(err, "split: message")
	}
	if m.TicketID != t.ID {
		return nil, refuseSplit("that message is no longer on #%d; it was split or merged away", t.Number)
	}
	if m.Kind != MessageInbound || m.AuthorID == nil {
		return nil, refuseSplit("only a customer's message can be split off")
	}
	var first int64
	if err := tx.GetContext(ctx, &first, tx.q(`SELECT id FROM messages WHERE ticket_id = ? ORDER BY created_at, id LIMIT 1`), t.ID); err != nil {
		return nil, fmt.Errorf("store: split: first message: %w", err)
	}
	if first == m.ID {
		return nil, refuseSplit("the first message is what #%d is about; split the later ones off instead", t.Number)
	}
	var author User
	if err := tx.GetContext(ctx, &author, tx.q(`SELECT * FROM users WHERE id = (SELECT COALESCE(merged_into, id) FROM users WHERE id = ?)`), *m.AuthorID); err != nil {
		return nil, notFound(err, "split: author")
	}
	switch {
	case author.ErasedAt != nil:
		return nil, refuseSplit("the sender's data was erased")
	case author.Role != RoleCustomer:
		return nil, refuseSplit("the message is from a staff member")
	}
	var forwards int
	if err := tx.GetContext(ctx, &forwards, tx.q(`SELECT COUNT(*) FROM forwards WHERE message_id = ?`), m.ID); err != nil {
		return nil, fmt.Errorf("store: split: %w", err)
	}
	if forwards > 0 {
		// Their reply addresses are signed for #N: answers come back here.
		return nil, refuseSplit("the message was forwarded, and answers to the forward come back to #%d; split another message, or merge instead", t.Number)
	}
	subject := strings.TrimSpace(req.Subject)
	if subject == "" {
		subject = strings.TrimSpace(m.Subject)
	}
	if subject == "" {
		subject = t.Subject
	}
	category := t.Category
	if category == PrivacyCategory {
		category = "general"
	}
	now := tx.db.Now()
	var into Ticket
	err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO tickets (number, customer_id, assignee_id, subject, status, priority, category, flag, created_at, updated_at, last_activity_at, status_at)
		VALUES (`+tx.nextNumber()+`, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?) RETURNING *`),
		author.ID, t.AssigneeID, subject, t.Priority, category, m.Flag, now, now, now, now).StructScan(&into)
	if err != nil {
		return nil, fmt.Errorf("store: split: create ticket: %w", err)
	}
	s := &Split{TicketID: t.ID, IntoID: into.ID, MessageID: &m.ID, ActorID: nullID(req.ActorID), CreatedAt: now,
		Number: t.Number, IntoNumber: into.Number, Subject: t.Subject, IntoSubj: into.Subject}
	if err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO splits (ticket_id, into_id, message_id, actor_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`),
		t.ID, into.ID, m.ID, s.ActorID, now).Scan(&s.ID); err != nil {
		return nil, fmt.Errorf("store: split: %w", err)
	}
	if err := tx.addParticipant(ctx, into.ID, author.ID, ParticipantCustomer, now); err != nil {
		return nil, err
	}
	steps := []struct {
		query string
		args  []any
	}{
		{`UPDATE messages SET ticket_id = ? WHERE id = ?`, []any{into.ID, m.ID}},
		{`UPDATE inbound_mail SET ticket_id = ? WHERE id = ? AND ticket_id = ?`, []any{into.ID, m.InboundMailID, t.ID}},
		// The original's last activity is its newest remaining message.
		{`UPDATE tickets SET updated_at = ?, last_activity_at = COALESCE((SELECT MAX(created_at) FROM messages WHERE ticket_id = ?), last_activity_at) WHERE id = ?`,
			[]any{now, t.ID, t.ID}},
	}
	if m.MessageID != "" {
		steps = append(steps, struct {
			query string
			args  []any
		}{`UPDATE thread_ids SET ticket_id = ? WHERE message_id = ? AND ticket_id = ?`, []any{into.ID, CanonicalID(m.MessageID), t.ID}})
	}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, tx.q(st.query), st.args...); err != nil {
			return nil, fmt.Errorf("store: split #%d: %w", t.Number, err)
		}
	}
	if err := tx.recordActivity(ctx, t.ID, req.ActorID, ActivitySplitInto, "", fmt.Sprintf("#%d", into.Number), now); err != nil {
		return nil, err
	}
	if err := tx.recordActivity(ctx, into.ID, req.ActorID, ActivitySplitFrom, fmt.Sprintf("#%d", t.Number), "", now); err != nil {
		return nil, err
	}
	for _, id := range []int64{t.ID, into.ID} {
		if err := tx.refreshRow(ctx, id); err != nil {
			return nil, err
		}
		if err := tx.syncSLA(ctx, id); err != nil { // the new ticket's clocks start
			return nil, err
		}
	}
	for _, side := range []struct {
		ticket int64
		name   string
	}{{t.ID, "from"}, {into.ID, "into"}} {
		err := tx.Audit(ctx, Audit{ActorID: req.ActorID, Action: AuditTicketSplit, TicketID: side.ticket, UserID: author.ID,
			Detail: map[string]any{"split": s.ID, "message": m.ID, "from_number": t.Number, "into_number": into.Number, "side": side.name}})
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Splits returns the splits a ticket took part in, either side, oldest
// first, with both tickets' numbers and subjects.
func (db *DB) Splits(ctx context.Context, ticketID int64) ([]Split, error) {
	var out []Split
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT s.*, t.number AS number, i.number AS into_number, t.subject AS subject, i.subject AS into_subject
		FROM splits s JOIN tickets t ON t.id = s.ticket_id JOIN tickets i ON i.id = s.into_id
		WHERE s.ticket_id = ? OR s.into_id = ? ORDER BY s.id`), ticketID, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: splits: %w", err)
	}
	return out, nil
}

// SplitByID returns one split with both tickets' numbers and subjects.
func (db *DB) SplitByID(ctx context.Context, id int64) (*Split, error) {
	var s Split
	err := db.X.GetContext(ctx, &s, db.q(`SELECT s.*, t.number AS number, i.number AS into_number, t.subject AS subject, i.subject AS into_subject
		FROM splits s JOIN tickets t ON t.id = s.ticket_id JOIN tickets i ON i.id = s.into_id WHERE s.id = ?`), id)
	if err != nil {
		return nil, notFound(err, "split")
	}
	return &s, nil
}

// FirstMessageID returns the id of a ticket's oldest message, the one a
// split refuses; 0 when it has none.
func (db *DB) FirstMessageID(ctx context.Context, ticketID int64) (int64, error) {
	var ids []int64
	if err := db.X.SelectContext(ctx, &ids, db.q(`SELECT id FROM messages WHERE ticket_id = ? ORDER BY created_at, id LIMIT 1`), ticketID); err != nil {
		return 0, fmt.Errorf("store: first message: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}
