package store

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// StaffReply is a staff member's answer (or internal note) on a ticket.
type StaffReply struct {
	TicketID    int64
	AuthorID    int64
	Text        string
	Note        bool // internal: never mailed
	Attachments []NewAttachment
	// Status, on a reply, changes the ticket's status in the same step:
	// the reply's mail tells of it, and no separate status mail goes.
	Status string
	// Hold keeps the reply's mail in the outbox this long, while its
	// author may undo it (DARGO_UNDO_SECONDS); 0 sends at once.
	Hold time.Duration
	// Key is the form's idempotency key: a second reply with the same key
	// by the same author writes nothing and returns the first's id.
	Key string
	// Source is where it was written: "" is the web inbox; "email" is an
	// answer by mail, whose MessageID is kept on the message (not among the
	// ticket's thread ids: the staff member's own mail server's id must not
	// reach the customer in References), SenderAuthReason says why its sender was believed and
	// InboundMailID is the raw mail it came in.
	Source           string
	MessageID        string
	SenderAuthReason string
	InboundMailID    int64
}

// AddStaffReply stores a reply and, unless it is a note, queues a reply
// notification to the customer and every Cc participant, in one transaction.
func (db *DB) AddStaffReply(ctx context.Context, r StaffReply) (int64, error) {
	if r.Status != "" && !r.Note && !slices.Contains(Statuses, r.Status) {
		return 0, fmt.Errorf("%w: status %q", ErrInvalidChange, r.Status)
	}
	keys, err := db.stageFiles(ctx, r.Attachments)
	if err != nil {
		return 0, err
	}
	var msgID int64
	err = db.InTx(ctx, func(tx *Tx) error {
		var err error
		msgID, err = tx.addStaffReply(ctx, r, keys, db.Now())
		return err
	})
	return msgID, err
}

// addStaffReply is AddStaffReply inside a transaction, with the files' blob keys staged.
func (tx *Tx) addStaffReply(ctx context.Context, r StaffReply, keys []string, now time.Time) (int64, error) {
	var msgID int64
	if first, err := tx.claimReplyKey(ctx, r.AuthorID, r.Key, now); err != nil || first != 0 {
		return first, err
	}
	// A reply written on a page opened before a merge goes to the survivor.
	t, err := tx.liveTicket(ctx, r.TicketID)
	if err != nil {
		return 0, err
	}
	kind := MessageOutbound
	if r.Note {
		kind = MessageNote
	}
	source, why := SourceWeb, "written by signed-in staff"
	if r.Source != "" {
		source, why = r.Source, r.SenderAuthReason
	}
	err = tx.QueryRowxContext(ctx, tx.q(`INSERT INTO messages (ticket_id, author_id, kind, source, message_id, subject, text, visible_text, created_at, sender_auth, sender_auth_reason, inbound_mail_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'verified', ?, ?) RETURNING id`), t.ID, r.AuthorID, kind, source, r.MessageID, t.Subject, r.Text, r.Text, now, why, nullID(r.InboundMailID)).Scan(&msgID)
	if err != nil {
		return 0, fmt.Errorf("store: staff reply: %w", err)
	}
	if err := tx.keyReply(ctx, r.AuthorID, r.Key, msgID); err != nil {
		return 0, err
	}
	if err := tx.refreshRow(ctx, t.ID); err != nil {
		return 0, err
	}
	if err := tx.addFiles(ctx, msgID, r.Attachments, keys, now); err != nil {
		return 0, err
	}
	action := AuditTicketReply
	if r.Note {
		action = AuditTicketNote
	}
	if err := tx.Audit(ctx, Audit{ActorID: r.AuthorID, Action: action, TicketID: t.ID, Detail: map[string]any{"message": msgID}}); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, tx.q(`UPDATE tickets SET updated_at = ?, last_activity_at = ? WHERE id = ?`), now, now, t.ID); err != nil {
		return 0, fmt.Errorf("store: staff reply: %w", err)
	}
	if r.Note {
		return msgID, tx.tellMentions(ctx, t, r.AuthorID, msgID, r.Text)
	}
	if err := tx.syncSLA(ctx, t.ID); err != nil { // a first response
		return 0, err
	}
	was := t.Status
	if r.Status != "" {
		if _, err := tx.applyChange(ctx, &t, Change{TicketID: t.ID, ActorID: r.AuthorID, Status: r.Status}, now); err != nil {
			return 0, err
		}
	}
	if t.Status == StatusPending && was == StatusPending {
		// Asked again: the customer's time to answer starts over.
		if err := tx.statusChanged(ctx, &t, now); err != nil {
			return 0, err
		}
	}
	mail := QueuedEmail{Kind: EmailReply, MessageID: &msgID}
	if t.Status != was && notifyStatuses[t.Status] {
		mail.Announces = t.Status
	}
	var err2 error
	if mail.ActionID, mail.NotBefore, err2 = tx.undoable(ctx, undoAction{ticket: t.ID, actor: r.AuthorID, message: msgID,
		oldStatus: was, newStatus: t.Status}, r.Hold, now); err2 != nil {
		return 0, err2
	}
	return msgID, tx.notifyParticipants(ctx, t, mail)
}

// notifyParticipants queues the mail to each participant of the ticket, as
// Recipients lists them (what the composer shows above Send). An erased
// participant gets nothing; a suppressed address gets an emails row that
// says so (QueueEmail applies the same gate again).
func (tx *Tx) notifyParticipants(ctx context.Context, t Ticket, mail QueuedEmail) error {
	people, err := tx.db.recipients(ctx, tx, t.ID, mail.Kind)
	if err != nil {
		return err
	}
	for _, p := range people {
		if p.Skip == SkipErased {
			continue
		}
		id := p.UserID
		mail.UserID, mail.To, mail.TicketID, mail.Subject = &id, p.Email, &t.ID, t.Subject
		if _, err := tx.QueueEmail(ctx, mail); err != nil {
			return err
		}
	}
	return nil
}

// notifyStatuses are the statuses a customer is told about.
var notifyStatuses = map[string]bool{StatusResolved: true, StatusClosed: true}
