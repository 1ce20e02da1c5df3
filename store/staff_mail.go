package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Audited actions of answers by mail.
const (
	// AuditMailCommand is one command (#resolve, #assign @mia, …) in a
	// staff member's answer by mail; detail: command, message, inbound_mail.
	AuditMailCommand = "mail_command"
	// AuditMailHeld is an answer by mail held as a note instead of being
	// acted on; detail: message, inbound_mail, reason.
	AuditMailHeld = "mail_held"
)

// FlagHeld marks a note that holds an answer by mail nobody acted on.
const FlagHeld = "held"

// StaffMail is a staff member's answer by mail to a notice, as the inbound
// pipeline read it: sent to the reply address signed for StaffID and
// TicketID.
type StaffMail struct {
	InboundMailID int64
	TicketID      int64
	StaffID       int64  // whose reply address it came to
	From          Person // who the From header names
	MessageID     string
	Subject       string
	Text          string // the whole text, as received
	// Reply is what goes to the customer (or into the note): the visible
	// text without commands, quoted history and signature.
	Reply            string
	HTML             string
	SenderAuth       string
	SenderAuthReason string
	Attachments      []NewAttachment
	// Held says why the mail is not acted on: it is kept on the ticket as
	// a note for staff to check, and StaffID is told why. "" acts on it.
	Held string
	// Reason is the inbound mail's recorded outcome, in words.
	Reason string
	// The commands: Note makes the answer an internal note; Status,
	// Priority and Assignee apply before it is sent. Commands lists them as
	// written, for the audit log.
	Note     bool
	Status   string
	Priority string
	Assignee *int64
	Commands []string
}

// RecordStaffMail writes an answer by mail in one transaction with its
// inbound mail's outcome: a held note and a notice to StaffID, or the
// commands' changes and the reply (or note). A Message-ID seen before is
// ErrDuplicate.
func (db *DB) RecordStaffMail(ctx context.Context, m StaffMail) (*Recorded, error) {
	if m.Status != "" && !slices.Contains(Statuses, m.Status) || m.Priority != "" && !slices.Contains(Priorities, m.Priority) {
		return nil, fmt.Errorf("%w: status %q, priority %q", ErrInvalidChange, m.Status, m.Priority)
	}
	keys, err := db.stageFiles(ctx, m.Attachments)
	if err != nil {
		return nil, err
	}
	var out Recorded
	err = db.inTxRetry(ctx, func(tx *Tx) error {
		out = Recorded{}
		return tx.recordStaffMail(ctx, m, keys, &out)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (tx *Tx) recordStaffMail(ctx context.Context, m StaffMail, keys []string, out *Recorded) error {
	now := tx.db.Now()
	res, err := tx.ExecContext(ctx, tx.q(`UPDATE inbound_mail SET processed_at = ? WHERE id = ? AND status <> 'processed'`), now, m.InboundMailID)
	if err != nil {
		return fmt.Errorf("store: staff mail: claim inbound mail: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("store: staff mail: inbound mail %d: %w", m.InboundMailID, ErrProcessed)
	}
	if m.MessageID != "" {
		// Before any change: a second copy of the mail must change nothing.
		// Its id is kept on the message only (see StaffReply.Source).
		m.MessageID = CanonicalID(m.MessageID)
		var n int
		if err := tx.GetContext(ctx, &n, tx.q(`SELECT (SELECT COUNT(*) FROM thread_ids WHERE message_id = ?)
			+ (SELECT COUNT(*) FROM messages WHERE ticket_id = ? AND message_id = ?)`), m.MessageID, m.TicketID, m.MessageID); err != nil {
			return fmt.Errorf("store: staff mail: %w", err)
		}
		if n > 0 {
			return ErrDuplicate
		}
	}
	var t Ticket
	if err := tx.GetContext(ctx, &t, tx.q(`SELECT * FROM tickets WHERE id = ?`), m.TicketID); err != nil {
		return notFound(err, "staff mail")
	}
	out.TicketID, out.TicketNumber = t.ID, t.Number
	if m.Held == "" && m.SenderAuth != SenderVerified {
		m.Held = "the sender is not verified" // fail closed: only verified mail acts for staff
	}
	if m.Held != "" {
		if err := tx.holdStaffMail(ctx, t, m, keys, out); err != nil {
			return err
		}
	} else if err := tx.actOnStaffMail(ctx, t, m, keys, out); err != nil {
		return err
	}
	o := Outcome{Status: "processed", Action: "appended", Reason: m.Reason, TicketID: &t.ID}
	if out.MessageID != 0 {
		o.MessageID = &out.MessageID
	}
	return tx.finishInbound(ctx, m.InboundMailID, o)
}

// holdStaffMail keeps the mail as a flagged note from whoever the From
// names, and tells the staff member whose address it came to.
func (tx *Tx) holdStaffMail(ctx context.Context, t Ticket, m StaffMail, keys []string, out *Recorded) error {
	now := tx.db.Now()
	author, err := tx.upsertUser(ctx, m.From, now)
	if err != nil {
		return err
	}
	auth := m.SenderAuth
	if auth != SenderVerified {
		auth = SenderUnverified
	}
	visible := m.Reply
	if strings.TrimSpace(visible) == "" {
		visible = m.Text
	}
	err = tx.QueryRowxContext(ctx, tx.q(`INSERT INTO messages (ticket_id, author_id, kind, source, message_id, subject, text, visible_text, html, flag, inbound_mail_id, created_at, sender_auth, sender_auth_reason)
		VALUES (?, ?, 'note', 'email', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		t.ID, author, m.MessageID, m.Subject, m.Text, visible, m.HTML, FlagHeld, m.InboundMailID, now, auth, "held: "+m.Held).Scan(&out.MessageID)
	if err != nil {
		return fmt.Errorf("store: hold staff mail: %w", err)
	}
	if err := tx.addFiles(ctx, out.MessageID, m.Attachments, keys, now); err != nil {
		return err
	}
	if err := tx.refreshRow(ctx, t.ID); err != nil {
		return err
	}
	if err := tx.Audit(ctx, Audit{ActorID: m.StaffID, Action: AuditMailHeld, TicketID: t.ID,
		Detail: map[string]any{"message": out.MessageID, "inbound_mail": m.InboundMailID, "reason": m.Held}}); err != nil {
		return err
	}
	return tx.tell(ctx, notice{kind: NoticeHeld, ticket: t, message: out.MessageID, detail: m.Held}, []int64{m.StaffID})
}

// actOnStaffMail applies the commands and writes the reply or note as the
// staff member's own.
func (tx *Tx) actOnStaffMail(ctx context.Context, t Ticket, m StaffMail, keys []string, out *Recorded) error {
	now := tx.db.Now()
	for _, c := range m.Commands {
		if err := tx.Audit(ctx, Audit{ActorID: m.StaffID, Action: AuditMailCommand, TicketID: t.ID,
			Detail: map[string]any{"command": c, "inbound_mail": m.InboundMailID}}); err != nil {
			return err
		}
	}
	change := Change{TicketID: t.ID, ActorID: m.StaffID, Priority: m.Priority, Assignee: m.Assignee}
	silent := strings.TrimSpace(m.Reply) == "" && len(m.Attachments) == 0
	if m.Note || silent {
		// No reply carries the status change: it is a change of its own,
		// mailed to the customer as the inbox's would be.
		change.Status = m.Status
	}
	was := t.Status
	if _, err := tx.applyChange(ctx, &t, change, now); err != nil {
		return err
	}
	if change.Status != "" && t.Status != was && notifyStatuses[t.Status] {
		if err := tx.notifyParticipants(ctx, t, QueuedEmail{Kind: EmailStatus}); err != nil {
			return err
		}
	}
	if silent {
		return nil
	}
	r := StaffReply{TicketID: t.ID, AuthorID: m.StaffID, Text: m.Reply, Note: m.Note, Attachments: m.Attachments,
		Source: SourceEmail, MessageID: m.MessageID, SenderAuthReason: m.SenderAuthReason, InboundMailID: m.InboundMailID}
	if !m.Note {
		r.Status = m.Status
	}
	id, err := tx.addStaffReply(ctx, r, keys, now)
	out.MessageID = id
	return err
}
