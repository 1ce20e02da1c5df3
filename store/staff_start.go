package store

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Audited actions of staff-started tickets and forwards.
const (
	AuditTicketStart   = "ticket_start"   // user: the customer; detail: message, cc, files
	AuditTicketForward = "ticket_forward" // detail: forward, message (the one forwarded), to_domain
)

// StaffStart is a ticket a staff member opens by writing to a customer
// first: an outbound conversation.
type StaffStart struct {
	StaffID  int64
	To       Person
	Cc       []Person
	Subject  string
	Text     string
	Priority string // "" is normal
	Category string // "" is general
	// AssigneeID assigns the new ticket (a staff member); nil leaves it unassigned.
	AssigneeID  *int64
	Attachments []NewAttachment
	// Key is the form's idempotency key: the same form posted twice by the
	// same staff member opens one ticket.
	Key string
}

// Started tells what StartTicket wrote.
type Started struct {
	TicketID     int64
	TicketNumber int64
	MessageID    int64
	// MailStatus is the customer's emails row status: queued, or
	// suppressed (the address bounced, or they object to optional mail).
	MailStatus string
}

// StartTicket opens a ticket for s.To in one transaction: the customer
// record when the address is unknown (a customer, on this ticket only),
// the ticket (Channel "staff"), the first message as a staff reply, the Cc
// participants, and the reply mail to each of them through the outbox,
// under the same gate as any staff reply. A staff address, as customer or
// Cc, is ErrStaffAddress; an erased and blocked one ErrAddressBlocked.
func (db *DB) StartTicket(ctx context.Context, s StaffStart) (*Started, error) {
	if s.Priority == "" {
		s.Priority = PriorityNormal
	}
	if !slices.Contains(Priorities, s.Priority) || len(s.Category) > 64 {
		return nil, fmt.Errorf("%w: priority %q", ErrInvalidChange, s.Priority)
	}
	keys, err := db.stageFiles(ctx, s.Attachments)
	if err != nil {
		return nil, err
	}
	var out Started
	err = db.inTxRetry(ctx, func(tx *Tx) error {
		out = Started{}
		return tx.startTicket(ctx, s, keys, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("store: start ticket: %w", err)
	}
	return &out, nil
}

func (tx *Tx) startTicket(ctx context.Context, s StaffStart, keys []string, out *Started) error {
	now := tx.db.Now()
	if first, err := tx.claimReplyKey(ctx, s.StaffID, s.Key, now); err != nil || first != 0 {
		if err == nil {
			out.MessageID = first
			err = tx.QueryRowxContext(ctx, tx.q(`SELECT t.id, t.number FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.id = ?`),
				first).Scan(&out.TicketID, &out.TicketNumber)
		}
		return err
	}
	customer, err := tx.customerFor(ctx, s.To, now)
	if err != nil {
		return err
	}
	var t Ticket
	if err := tx.createTicket(ctx, &t, customer, &Incoming{Subject: s.Subject, Category: s.Category, Priority: s.Priority}, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, tx.q(`UPDATE tickets SET channel = ? WHERE id = ?`), ChannelStaff, t.ID); err != nil {
		return fmt.Errorf("store: start ticket: %w", err)
	}
	t.Channel = ChannelStaff
	out.TicketID, out.TicketNumber = t.ID, t.Number
	if err := tx.addParticipant(ctx, t.ID, customer, ParticipantCustomer, now); err != nil {
		return err
	}
	for _, p := range s.Cc {
		u, err := tx.customerFor(ctx, p, now)
		if err != nil {
			return err
		}
		if u == customer {
			continue
		}
		if err := tx.addParticipant(ctx, t.ID, u, ParticipantCc, now); err != nil {
			return err
		}
		if err := tx.recordActivity(ctx, t.ID, s.StaffID, "cc", "", NormalizeEmail(p.Email), now); err != nil {
			return err
		}
	}
	if s.AssigneeID != nil {
		changed := false
		if err := tx.assign(ctx, &t, Change{TicketID: t.ID, ActorID: s.StaffID, Assignee: s.AssigneeID}, now, &changed); err != nil {
			return err
		}
	}
	// The first message is a staff reply like any other: same row, same
	// files, same mail (kind reply), so threading and the gate are shared.
	err = tx.QueryRowxContext(ctx, tx.q(`INSERT INTO messages (ticket_id, author_id, kind, source, subject, text, visible_text, created_at, sender_auth, sender_auth_reason)
		VALUES (?, ?, 'outbound', 'web', ?, ?, ?, ?, 'verified', 'written by signed-in staff') RETURNING id`),
		t.ID, s.StaffID, t.Subject, s.Text, s.Text, now).Scan(&out.MessageID)
	if err != nil {
		return fmt.Errorf("store: start ticket: %w", err)
	}
	if err := tx.keyReply(ctx, s.StaffID, s.Key, out.MessageID); err != nil {
		return err
	}
	if err := tx.syncSLA(ctx, t.ID); err != nil {
		return err
	}
	if err := tx.refreshRow(ctx, t.ID); err != nil {
		return err
	}
	if err := tx.addFiles(ctx, out.MessageID, s.Attachments, keys, now); err != nil {
		return err
	}
	if err := tx.Audit(ctx, Audit{ActorID: s.StaffID, Action: AuditTicketStart, UserID: customer, TicketID: t.ID,
		Detail: map[string]any{"message": out.MessageID, "cc": len(s.Cc), "files": len(s.Attachments)}}); err != nil {
		return err
	}
	if err := tx.notifyParticipants(ctx, t, QueuedEmail{Kind: EmailReply, MessageID: &out.MessageID}); err != nil {
		return err
	}
	return tx.GetContext(ctx, &out.MailStatus, tx.q(`SELECT status FROM emails WHERE message_id = ? AND user_id = ?`), out.MessageID, customer)
}

// customerFor is the customer record for an address staff wrote to: found,
// or made (a customer, with nothing but what the caller grants). Staff
// addresses and erased, blocked ones are refused.
func (tx *Tx) customerFor(ctx context.Context, p Person, now time.Time) (int64, error) {
	p.Email = NormalizeEmail(p.Email)
	if blocked, err := tx.db.isBlocked(ctx, tx.Tx, p.Email); err != nil || blocked {
		if err == nil {
			err = fmt.Errorf("%w: %s", ErrAddressBlocked, p.Email)
		}
		return 0, err
	}
	id, err := tx.upsertUser(ctx, p, now)
	if err != nil {
		return 0, err
	}
	var role string
	if err := tx.GetContext(ctx, &role, tx.q(`SELECT role FROM users WHERE id = ?`), id); err != nil {
		return 0, fmt.Errorf("store: customer for %s: %w", p.Email, err)
	}
	if role != RoleCustomer {
		return 0, fmt.Errorf("%w: %s", ErrStaffAddress, p.Email)
	}
	return id, nil
}
