package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrForwardToParticipant refuses a forward to someone who takes part in
// the ticket: they get its mail already, and their answer must not become
// an internal note.
var ErrForwardToParticipant = errors.New("store: the address takes part in the ticket")

// NewForward is one message of a ticket to send to a third party with a note.
type NewForward struct {
	TicketID  int64
	MessageID int64 // the message forwarded, with its files
	ActorID   int64
	To        string
	Note      string
}

// Forward is a forward as the ticket page shows it.
type Forward struct {
	ID         int64     `db:"id"`
	TicketID   int64     `db:"ticket_id"`
	MessageID  *int64    `db:"message_id"`
	ActorID    *int64    `db:"actor_id"`
	ToEmail    string    `db:"to_email"`
	Note       string    `db:"note"`
	CreatedAt  time.Time `db:"created_at"`
	ActorEmail string    `db:"actor_email"`
	MailStatus string    `db:"mail_status"`
	Answers    int       `db:"answers"`
}

// Forward records the forward and queues its mail (kind forward) to the
// third party, in one transaction, with an audit entry. The address must
// not be a participant (ErrForwardToParticipant), nor staff's, nor erased
// and blocked; the message must be the ticket's (a note is never sent).
func (db *DB) Forward(ctx context.Context, f NewForward) (*Forward, error) {
	to := NormalizeEmail(f.To)
	var out Forward
	err := db.InTx(ctx, func(tx *Tx) error {
		now := db.Now()
		t, err := tx.liveTicket(ctx, f.TicketID)
		if err != nil {
			return err
		}
		var kind string
		if err := tx.GetContext(ctx, &kind, tx.q(`SELECT kind FROM messages WHERE id = ? AND ticket_id = ?`), f.MessageID, t.ID); err != nil {
			return notFound(err, "forward message")
		}
		if kind == MessageNote {
			return fmt.Errorf("%w: an internal note is not forwarded", ErrInvalidChange)
		}
		if blocked, err := db.isBlocked(ctx, tx.Tx, to); err != nil || blocked {
			if err == nil {
				err = ErrAddressBlocked
			}
			return err
		}
		var n int
		if err := tx.GetContext(ctx, &n, tx.q(`SELECT COUNT(*) FROM participants p JOIN users u ON u.id = p.user_id
			WHERE p.ticket_id = ? AND (u.email = ? OR u.id = (SELECT COALESCE(merged_into, id) FROM users WHERE email = ?))`), t.ID, to, to); err != nil {
			return fmt.Errorf("store: forward: %w", err)
		}
		if n > 0 {
			return ErrForwardToParticipant
		}
		var role string
		if err := tx.GetContext(ctx, &role, tx.q(`SELECT role FROM users WHERE email = ?`), to); err == nil && role != RoleCustomer {
			return ErrStaffAddress
		}
		err = tx.QueryRowxContext(ctx, tx.q(`INSERT INTO forwards (ticket_id, message_id, actor_id, to_email, note, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), t.ID, f.MessageID, f.ActorID, to, f.Note, now).Scan(&out.ID)
		if err != nil {
			return fmt.Errorf("store: forward: %w", err)
		}
		emailID, status, err := tx.queueEmail(ctx, QueuedEmail{To: to, Kind: EmailForward, TicketID: &t.ID, MessageID: &f.MessageID, Subject: t.Subject})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.q(`UPDATE emails SET forward_id = ? WHERE id = ?`), out.ID, emailID); err != nil {
			return fmt.Errorf("store: forward: %w", err)
		}
		out.TicketID, out.MessageID, out.ActorID, out.ToEmail, out.Note, out.CreatedAt, out.MailStatus = t.ID, &f.MessageID, &f.ActorID, to, f.Note, now, status
		return tx.Audit(ctx, Audit{ActorID: f.ActorID, Action: AuditTicketForward, TicketID: t.ID,
			Detail: map[string]any{"forward": out.ID, "message": f.MessageID, "to_domain": to[strings.LastIndexByte(to, '@')+1:]}})
	})
	if err != nil {
		return nil, fmt.Errorf("store: forward on ticket %d: %w", f.TicketID, err)
	}
	return &out, nil
}

// Forwards lists a ticket's forwards, oldest first, with who sent each,
// its mail's status and how many answers came back.
func (db *DB) Forwards(ctx context.Context, ticketID int64) ([]Forward, error) {
	out := []Forward{}
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT f.*, COALESCE(u.email, '') AS actor_email,
		COALESCE((SELECT e.status FROM emails e WHERE e.forward_id = f.id ORDER BY e.id LIMIT 1), '') AS mail_status,
		(SELECT COUNT(*) FROM messages m WHERE m.forward_id = f.id) AS answers
		FROM forwards f LEFT JOIN users u ON u.id = f.actor_id WHERE f.ticket_id = ? ORDER BY f.created_at, f.id`), ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: forwards: %w", err)
	}
	return out, nil
}

// ForwardOf is one forward by id.
func (db *DB) ForwardOf(ctx context.Context, id int64) (*Forward, error) {
	var f Forward
	err := db.X.GetContext(ctx, &f, db.q(`SELECT f.*, COALESCE(u.email, '') AS actor_email, '' AS mail_status, 0 AS answers
		FROM forwards f LEFT JOIN users u ON u.id = f.actor_id WHERE f.id = ?`), id)
	if err != nil {
		return nil, notFound(err, "forward")
	}
	return &f, nil
}

// ForwardAnswer is a third party's answer to a forward, come in by the
// forward's reply address.
type ForwardAnswer struct {
	InboundMailID int64
	TicketNumber  int64 // the number the address was signed for
	ForwardID     int64
	From          Person
	MessageID     string // the mail's Message-ID, kept on the note only
	Subject       string
	Text          string
	VisibleText   string
	HTML          string
	Attachments   []NewAttachment
	// Flag marks the note as the customer routes mark a message: "spam",
	// "dmarc" or "".
	Flag string
}

// RecordForwardAnswer keeps the answer on the forward's ticket as an
// internal note marked with the forward, in one transaction: the sender
// is recorded as a person but takes no part in the ticket, and no mail
// goes to anyone. A forward that is not of the ticket the address names
// is ErrNotFound (nothing written).
func (db *DB) RecordForwardAnswer(ctx context.Context, a ForwardAnswer) (*Recorded, error) {
	keys, err := db.stageFiles(ctx, a.Attachments)
	if err != nil {
		return nil, err
	}
	var out Recorded
	err = db.inTxRetry(ctx, func(tx *Tx) error {
		out = Recorded{}
		now := db.Now()
		var fw struct {
			TicketID int64  `db:"ticket_id"`
			To       string `db:"to_email"`
		}
		if err := tx.GetContext(ctx, &fw, tx.q(`SELECT f.ticket_id, f.to_email FROM forwards f JOIN tickets t ON t.id = f.ticket_id
			WHERE f.id = ? AND t.number = ?`), a.ForwardID, a.TicketNumber); err != nil {
			return notFound(err, "forward answer")
		}
		ticketID := fw.TicketID
		if a.MessageID != "" {
			// The answer's Message-ID is not among the thread ids (it must
			// not route the customer's way), so a copy is caught here.
			var seen int
			if err := tx.GetContext(ctx, &seen, tx.q(`SELECT COUNT(*) FROM messages WHERE forward_id = ? AND message_id = ?`), a.ForwardID, a.MessageID); err != nil {
				return fmt.Errorf("store: forward answer: %w", err)
			}
			if seen > 0 {
				return ErrDuplicate
			}
		}
		if a.InboundMailID != 0 {
			res, err := tx.ExecContext(ctx, tx.q(`UPDATE inbound_mail SET processed_at = ? WHERE id = ? AND status <> 'processed'`), now, a.InboundMailID)
			if err != nil {
				return fmt.Errorf("store: forward answer: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return fmt.Errorf("store: forward answer: inbound mail %d: %w", a.InboundMailID, ErrProcessed)
			}
		}
		t, err := tx.liveTicket(ctx, ticketID)
		if err != nil {
			return err
		}
		// The note is the forward's recipient's: the address was given to
		// them, and a From header proves nothing (it could name a
		// colleague, or the customer). Another From is said on the note.
		who, reason := a.From, "an answer to a forward sent to "+fw.To+", by the forward's reply address"
		if !strings.EqualFold(a.From.Email, fw.To) {
			who = Person{Email: fw.To}
			reason += "; its From header names " + a.From.Email + ", which proves nothing"
		}
		author, err := tx.upsertUser(ctx, who, now)
		if err != nil {
			return err
		}
		var inbound *int64
		if a.InboundMailID != 0 {
			inbound = &a.InboundMailID
		}
		err = tx.QueryRowxContext(ctx, tx.q(`INSERT INTO messages (ticket_id, author_id, kind, source, message_id, subject, text, visible_text, html, inbound_mail_id, created_at, sender_auth, sender_auth_reason, forward_id, flag)
			VALUES (?, ?, 'note', 'email', ?, ?, ?, ?, ?, ?, ?, 'unverified', ?, ?, ?) RETURNING id`),
			t.ID, author, a.MessageID, a.Subject, a.Text, a.VisibleText, a.HTML, inbound, now,
			reason, a.ForwardID, a.Flag).Scan(&out.MessageID)
		if err != nil {
			return fmt.Errorf("store: forward answer: %w", err)
		}
		out.TicketID, out.TicketNumber = t.ID, t.Number
		if err := tx.refreshRow(ctx, t.ID); err != nil {
			return err
		}
		if err := tx.addFiles(ctx, out.MessageID, a.Attachments, keys, now); err != nil {
			return err
		}
		if a.Flag != "spam" {
			if err := tx.tellForwardAnswer(ctx, t, author, out.MessageID, a.ForwardID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, tx.q(`UPDATE tickets SET updated_at = ? WHERE id = ?`), now, t.ID); err != nil {
			return fmt.Errorf("store: forward answer: %w", err)
		}
		if a.InboundMailID != 0 {
			return tx.finishInbound(ctx, a.InboundMailID, Outcome{Status: "processed", Action: "appended", TicketID: &t.ID, MessageID: &out.MessageID})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// tellForwardAnswer tells the staff member who forwarded, the ticket's
// assignee and its followers that a third party answered, as a customer's
// message is told of (their "customer writes" choice; the mail says it is
// an answer to a forward).
func (tx *Tx) tellForwardAnswer(ctx context.Context, t Ticket, author, message, forwardID int64) error {
	var users []int64
	err := tx.SelectContext(ctx, &users, tx.q(`SELECT user_id FROM followers WHERE ticket_id = ?
		UNION SELECT assignee_id FROM tickets WHERE id = ? AND assignee_id IS NOT NULL
		UNION SELECT actor_id FROM forwards WHERE id = ? AND actor_id IS NOT NULL`), t.ID, t.ID, forwardID)
	if err != nil {
		return fmt.Errorf("store: tell of a forward answer: %w", err)
	}
	return tx.tell(ctx, notice{kind: NoticeCustomerReply, ticket: t, message: message, actor: author}, users)
}
