package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrInvalidChange is a change to a value a ticket cannot take.
var ErrInvalidChange = errors.New("store: invalid ticket change")

// Change is what a staff member changes on a ticket; empty fields stay.
type Change struct {
	TicketID int64
	ActorID  int64
	Status   string
	Priority string
	Category string
	// Assignee assigns the ticket to a staff member; Unassign clears it.
	Assignee *int64
	Unassign bool
	// Hold keeps a status mail in the outbox this long, while the change
	// can be undone (DARGO_UNDO_SECONDS); 0 sends at once.
	Hold time.Duration
	// Why says why a change made by Dargo (ActorID 0) was made, for the
	// audit log: "after 7 days without an answer".
	Why string
}

// Activity is one recorded change to a ticket.
type Activity struct {
	ID         int64     `db:"id"`
	TicketID   int64     `db:"ticket_id"`
	ActorID    *int64    `db:"actor_id"`
	ActorEmail string    `db:"actor_email"`
	Kind       string    `db:"kind"` // status, priority, category, assignee
	OldValue   string    `db:"old_value"`
	NewValue   string    `db:"new_value"`
	CreatedAt  time.Time `db:"created_at"`
}

// ChangeTicket applies the change and records each changed field in the
// activity history, in one transaction. Moving to resolved or closed mails
// the participants, as SetStatus does; that mail waits c.Hold in the
// outbox, while the change can be undone.
func (db *DB) ChangeTicket(ctx context.Context, c Change) error {
	_, _, err := db.changeTicket(ctx, c, nil)
	return err
}

// valid refuses a change to a value a ticket cannot take.
func (c Change) valid() error {
	if c.Status != "" && !slices.Contains(Statuses, c.Status) ||
		c.Priority != "" && !slices.Contains(Priorities, c.Priority) || len(c.Category) > 64 {
		return fmt.Errorf("%w: status %q, priority %q", ErrInvalidChange, c.Status, c.Priority)
	}
	return nil
}

// changeTicket is ChangeTicket, reporting whether anything changed and the
// undoable action its status mail waits on (0: none); guard, when not nil,
// runs first in the transaction and may refuse the ticket (bulk actions
// skip merged tickets that way).
func (db *DB) changeTicket(ctx context.Context, c Change, guard func(*Tx) error) (bool, int64, error) {
	if err := c.valid(); err != nil {
		return false, 0, err
	}
	var changed bool
	var action int64
	err := db.InTx(ctx, func(tx *Tx) error {
		changed, action = false, 0
		if guard != nil {
			if err := guard(tx); err != nil {
				return err
			}
		}
		var err error
		changed, action, err = tx.changeTicket(ctx, c)
		return err
	})
	if err != nil {
		return false, 0, err
	}
	return changed, action, nil
}

// changeTicket is ChangeTicket inside a transaction (saved replies'
// actions take this path too: store/saved_replies.go), reporting whether
// anything changed and the undoable action its status mail waits on.
func (tx *Tx) changeTicket(ctx context.Context, c Change) (bool, int64, error) {
	if err := c.valid(); err != nil {
		return false, 0, err
	}
	var t Ticket
	if err := tx.GetContext(ctx, &t, tx.q(`SELECT * FROM tickets WHERE id = ?`), c.TicketID); err != nil {
		return false, 0, notFound(err, "change ticket")
	}
	now := tx.db.Now()
	was := t.Status
	changed, err := tx.applyChange(ctx, &t, c, now)
	if err != nil || !changed || t.Status == was || !notifyStatuses[t.Status] {
		return changed, 0, err
	}
	mail := QueuedEmail{Kind: EmailStatus}
	if mail.ActionID, mail.NotBefore, err = tx.undoable(ctx, undoAction{ticket: t.ID, actor: c.ActorID,
		oldStatus: was, newStatus: t.Status}, c.Hold, now); err != nil {
		return changed, 0, err
	}
	return changed, mail.ActionID, tx.notifyParticipants(ctx, t, mail)
}

// applyChange writes the change to t (and *t), its activity and its audit
// entry, and reports whether anything changed. It mails nobody.
func (tx *Tx) applyChange(ctx context.Context, t *Ticket, c Change, now time.Time) (bool, error) {
	changed := false
	was := map[string]string{} // what the changed fields were, for the audit log's sentences
	set := func(kind, col string, field *string, new string) error {
		old := *field
		if new == "" || new == old {
			return nil
		}
		changed, was[kind] = true, old
		if _, err := tx.ExecContext(ctx, tx.q(`UPDATE tickets SET `+col+` = ? WHERE id = ?`), new, t.ID); err != nil {
			return err
		}
		*field = new
		return tx.recordActivity(ctx, t.ID, c.ActorID, kind, old, new, now)
	}
	if err := set("status", "status", &t.Status, c.Status); err != nil {
		return false, fmt.Errorf("store: change ticket: %w", err)
	}
	if was["status"] != "" {
		if err := tx.statusChanged(ctx, t, now); err != nil {
			return false, err
		}
	}
	if err := set("priority", "priority", &t.Priority, c.Priority); err != nil {
		return false, fmt.Errorf("store: change ticket: %w", err)
	}
	if err := set("category", "category", &t.Category, c.Category); err != nil {
		return false, fmt.Errorf("store: change ticket: %w", err)
	}
	if err := tx.assign(ctx, t, c, now, &changed); err != nil {
		return false, err
	}
	if !changed {
		return false, nil
	}
	detail := map[string]any{"status": c.Status, "priority": c.Priority, "category": c.Category, "assignee": c.Assignee, "unassign": c.Unassign, "was": was}
	if c.Why != "" {
		detail["why"] = c.Why
	}
	if err := tx.Audit(ctx, Audit{ActorID: c.ActorID, Action: AuditTicketChange, TicketID: t.ID, Detail: detail}); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, tx.q(`UPDATE tickets SET updated_at = ? WHERE id = ?`), now, t.ID); err != nil {
		return false, fmt.Errorf("store: change ticket: %w", err)
	}
	if len(was) > 0 {
		return true, tx.syncSLA(ctx, t.ID)
	}
	return true, nil
}

// assign applies the assignee part of a change; only staff can be assigned.
func (tx *Tx) assign(ctx context.Context, t *Ticket, c Change, now time.Time, changed *bool) error {
	if c.Assignee == nil && !c.Unassign {
		return nil
	}
	old := ""
	if t.AssigneeID != nil {
		if err := tx.GetContext(ctx, &old, tx.q(`SELECT email FROM users WHERE id = ?`), *t.AssigneeID); err != nil {
			return fmt.Errorf("store: assign: %w", err)
		}
	}
	var to *int64
	newEmail := ""
	if !c.Unassign {
		var u User
		if err := tx.GetContext(ctx, &u, tx.q(`SELECT * FROM users WHERE id = ?`), *c.Assignee); err != nil {
			return notFound(err, "assignee")
		}
		if u.Role != RoleStaff && u.Role != RoleAdmin {
			return fmt.Errorf("%w: %s is not staff", ErrInvalidChange, u.Email)
		}
		to, newEmail = &u.ID, u.Email
	}
	if old == newEmail {
		return nil
	}
	*changed = true
	if _, err := tx.ExecContext(ctx, tx.q(`UPDATE tickets SET assignee_id = ? WHERE id = ?`), to, t.ID); err != nil {
		return fmt.Errorf("store: assign: %w", err)
	}
	t.AssigneeID = to
	if err := tx.recordActivity(ctx, t.ID, c.ActorID, "assignee", old, newEmail, now); err != nil {
		return err
	}
	if to == nil {
		return nil
	}
	// The assignee follows the ticket, and is told unless they took it themselves.
	if err := tx.follow(ctx, t.ID, *to, now); err != nil {
		return err
	}
	return tx.tell(ctx, notice{kind: NoticeAssigned, ticket: *t, actor: c.ActorID}, []int64{*to})
}

func (tx *Tx) recordActivity(ctx context.Context, ticketID, actorID int64, kind, old, new string, now time.Time) error {
	var actor *int64
	if actorID != 0 {
		actor = &actorID
	}
	_, err := tx.ExecContext(ctx, tx.q(`INSERT INTO activity (ticket_id, actor_id, kind, old_value, new_value, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		ticketID, actor, kind, old, new, now)
	if err != nil {
		return fmt.Errorf("store: record activity: %w", err)
	}
	return nil
}

// Activities returns a ticket's recorded changes, oldest first.
func (db *DB) Activities(ctx context.Context, ticketID int64) ([]Activity, error) {
	var out []Activity
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT a.*, COALESCE(u.email, '') AS actor_email
		FROM activity a LEFT JOIN users u ON u.id = a.actor_id WHERE a.ticket_id = ? ORDER BY a.id`), ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: activities: %w", err)
	}
	return out, nil
}

// SetStatus changes a ticket's status; moving to resolved or closed mails the
// participants, in the same transaction.
func (db *DB) SetStatus(ctx context.Context, ticketID int64, status string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		var t Ticket
		if err := tx.GetContext(ctx, &t, tx.q(`SELECT * FROM tickets WHERE id = ?`), ticketID); err != nil {
			return notFound(err, "set status")
		}
		if t.Status == status {
			return nil
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, tx.q(`UPDATE tickets SET status = ?, updated_at = ?, status_at = ? WHERE id = ?`), status, now, now, t.ID); err != nil {
			return fmt.Errorf("store: set status: %w", err)
		}
		if !notifyStatuses[status] {
			return nil
		}
		t.Status = status
		return tx.notifyParticipants(ctx, t, QueuedEmail{Kind: EmailStatus})
	})
}
