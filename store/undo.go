package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrTooLate is returned by Undo when the action's mail is on its way (or
// the action was undone already): nothing was changed.
var ErrTooLate = errors.New("store: too late to undo")

// ErrAlreadyUndone is returned by Undo for an action undone before (a
// double click, or a second tab): nothing was sent.
var ErrAlreadyUndone = errors.New("store: already undone")

// UndoMargin is how long before its mail is due an action stops being
// undoable. The relay takes a mail once not_before has passed on the
// worker's clock; Undo must finish before that on the web's clock, so the
// margin covers the transaction and the clocks' drift (keep them in NTP).
const UndoMargin = 2 * time.Second

// UndoAction is a staff action whose mail still waits in the outbox: until
// NotBefore its author may take it back.
type UndoAction struct {
	ID           int64      `db:"id"`
	TicketID     int64      `db:"ticket_id"`
	ActorID      int64      `db:"actor_id"`
	MessageID    *int64     `db:"message_id"` // the reply it wrote; nil for a status change alone
	OldStatus    string     `db:"old_status"`
	NewStatus    string     `db:"new_status"`
	NotBefore    time.Time  `db:"not_before"`
	UndoneAt     *time.Time `db:"undone_at"`
	CreatedAt    time.Time  `db:"created_at"`
	TicketNumber int64      `db:"ticket_number"`
	Subject      string     `db:"subject"`
}

// Undone is what Undo took back.
type Undone struct {
	Action UndoAction
	// Text is the reply's text, now the author's reply draft on the
	// ticket; "" for a status change.
	Text string
	// Files counts the reply's attachments, now staged again under that
	// draft.
	Files int
	// DraftKept reports that the author had started another draft on the
	// ticket since: it stays, after the reply's text.
	DraftKept bool
	// Restored reports whether the status went back to Action.OldStatus (it
	// does not when somebody changed it since).
	Restored bool
}

// undoAction is what tx.undoable records.
type undoAction struct {
	ticket, actor, message int64 // message 0: none
	oldStatus, newStatus   string
}

// undoable records an action whose mails wait hold in the outbox and
// returns its id and the time they are due; hold <= 0 records nothing and
// returns zeros (the mails go at once).
func (tx *Tx) undoable(ctx context.Context, a undoAction, hold time.Duration, now time.Time) (int64, time.Time, error) {
	if hold <= 0 {
		return 0, time.Time{}, nil
	}
	var msg *int64
	if a.message != 0 {
		msg = &a.message
	}
	notBefore := now.Add(hold)
	var id int64
	err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO undo_actions (ticket_id, actor_id, message_id, old_status, new_status, not_before, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), a.ticket, a.actor, msg, a.oldStatus, a.newStatus, notBefore, now).Scan(&id)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: record undoable action: %w", err)
	}
	return id, notBefore, nil
}

// PendingUndos returns the actor's actions that can still be undone, newest
// first, at most limit.
func (db *DB) PendingUndos(ctx context.Context, actorID int64, limit int) ([]UndoAction, error) {
	var out []UndoAction
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT a.*, t.number AS ticket_number, t.subject FROM undo_actions a JOIN tickets t ON t.id = a.ticket_id
		WHERE a.actor_id = ? AND a.not_before > ? AND a.undone_at IS NULL ORDER BY a.id DESC LIMIT ?`), actorID, db.Now().Add(UndoMargin), limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending undos: %w", err)
	}
	return out, nil
}

// Undo takes back the actor's action id while its mails still wait: it
// deletes those mails (and their outbox rows), the reply it wrote, and puts
// the status back unless somebody changed it since; the activity history
// and the audit log record the undo. The reply's text becomes the actor's
// draft on the ticket and its files their staged files, in the same
// transaction, so a reload or another device shows them. Another person's
// action is ErrNotFound; one whose mails are due, or undone already,
// ErrTooLate (with the action in the answer).
func (db *DB) Undo(ctx context.Context, id, actorID int64) (*Undone, error) {
	var out Undone
	files, err := db.undoFiles(ctx, id, actorID)
	if err != nil {
		return nil, err
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		now := db.Now()
		a := &out.Action
		err := tx.GetContext(ctx, a, tx.q(`SELECT a.*, t.number AS ticket_number, t.subject FROM undo_actions a JOIN tickets t ON t.id = a.ticket_id
			WHERE a.id = ? AND a.actor_id = ?`), id, actorID)
		if err != nil {
			return notFound(err, fmt.Sprintf("undo action %d", id))
		}
		if a.UndoneAt != nil {
			return ErrAlreadyUndone
		}
		// The claim: a second Undo, or one racing the relay, finds nothing.
		// The relay takes a row only once not_before <= now; Undo stops
		// UndoMargin before that.
		res, err := tx.ExecContext(ctx, tx.q(`UPDATE undo_actions SET undone_at = ? WHERE id = ? AND undone_at IS NULL AND not_before > ?`), now, id, now.Add(UndoMargin))
		if err != nil {
			return fmt.Errorf("store: undo: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrTooLate
		}
		var gone int
		if err := tx.GetContext(ctx, &gone, tx.q(`SELECT COUNT(*) FROM emails e WHERE e.action_id = ?
			AND (e.status IN ('sent', 'failed') OR EXISTS (SELECT 1 FROM outbox o WHERE o.email_id = e.id AND o.relayed_at IS NOT NULL))`), id); err != nil {
			return fmt.Errorf("store: undo: %w", err)
		}
		if gone > 0 {
			return ErrTooLate
		}
		// Only mails still queued and never relayed go; if any other is
		// left, the relay got there first and nothing is undone.
		if _, err := tx.ExecContext(ctx, tx.q(`DELETE FROM emails WHERE action_id = ? AND status NOT IN ('sent', 'failed')
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.email_id = emails.id AND o.relayed_at IS NOT NULL)`), id); err != nil {
			return fmt.Errorf("store: undo: mails: %w", err)
		}
		var left int
		if err := tx.GetContext(ctx, &left, tx.q(`SELECT COUNT(*) FROM emails WHERE action_id = ?`), id); err != nil {
			return fmt.Errorf("store: undo: %w", err)
		}
		if left > 0 {
			return ErrTooLate
		}
		detail := map[string]any{"action": id}
		if a.MessageID != nil {
			if err := tx.GetContext(ctx, &out.Text, tx.q(`SELECT text FROM messages WHERE id = ?`), *a.MessageID); err != nil {
				return notFound(err, "undo reply")
			}
			if out.DraftKept, err = tx.restoreReply(ctx, actorID, a.TicketID, *a.MessageID, out.Text, files, now); err != nil {
				return err
			}
			out.Files = len(files)
			// Attachments rows go with the message; their blobs are shared
			// by content and stay.
			if _, err := tx.ExecContext(ctx, tx.q(`DELETE FROM messages WHERE id = ?`), *a.MessageID); err != nil {
				return fmt.Errorf("store: undo: reply: %w", err)
			}
			if err := tx.refreshRow(ctx, a.TicketID); err != nil {
				return err
			}
			detail["message"] = *a.MessageID
		}
		if a.OldStatus != a.NewStatus {
			res, err := tx.ExecContext(ctx, tx.q(`UPDATE tickets SET status = ?, updated_at = ?, status_at = ? WHERE id = ? AND status = ?`),
				a.OldStatus, now, now, a.TicketID, a.NewStatus)
			if err != nil {
				return fmt.Errorf("store: undo: status: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				out.Restored = true
				detail["status"] = map[string]string{"from": a.NewStatus, "to": a.OldStatus}
				if err := tx.recordActivity(ctx, a.TicketID, actorID, "status", a.NewStatus, a.OldStatus, now); err != nil {
					return err
				}
			}
		}
		if err := tx.syncSLA(ctx, a.TicketID); err != nil { // an undone first reply or status
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditTicketUndo, TicketID: a.TicketID, Detail: detail})
	})
	if err != nil {
		db.dropUndoFiles(context.WithoutCancel(ctx), files)
	}
	if errors.Is(err, ErrTooLate) || errors.Is(err, ErrAlreadyUndone) {
		return &out, err // which action, for the page to say
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ReplyByKey returns the id of the message the user wrote with this
// idempotency key, or ErrNotFound.
func (db *DB) ReplyByKey(ctx context.Context, userID int64, key string) (int64, error) {
	var id *int64
	err := db.X.GetContext(ctx, &id, db.q(`SELECT message_id FROM reply_keys WHERE user_id = ? AND idem_key = ?`), userID, key)
	if err != nil {
		return 0, notFound(err, "reply key")
	}
	if id == nil { // claimed by a post still in flight
		return 0, fmt.Errorf("store: reply key: %w", ErrNotFound)
	}
	return *id, nil
}

// claimReplyKey claims an idempotency key for the user's next message and
// returns 0, or, when a committed post holds it already, that post's
// message id: the caller then writes nothing. A concurrent post with the
// same key waits on the key's primary key until the first commits (or rolls
// back, and then this one claims it). An empty key claims nothing.
func (tx *Tx) claimReplyKey(ctx context.Context, userID int64, key string, now time.Time) (int64, error) {
	if key == "" {
		return 0, nil
	}
	res, err := tx.ExecContext(ctx, tx.q(`INSERT INTO reply_keys (user_id, idem_key, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`), userID, key, now)
	if err != nil {
		return 0, fmt.Errorf("store: reply key: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return 0, nil
	}
	var first *int64
	if err := tx.GetContext(ctx, &first, tx.q(`SELECT message_id FROM reply_keys WHERE user_id = ? AND idem_key = ?`), userID, key); err != nil {
		return 0, fmt.Errorf("store: reply key: %w", err)
	}
	if first == nil {
		return 0, fmt.Errorf("store: reply key %q holds no message", key)
	}
	return *first, nil
}

// keyReply files the message under the key claimReplyKey claimed.
func (tx *Tx) keyReply(ctx context.Context, userID int64, key string, msgID int64) error {
	if key == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, tx.q(`UPDATE reply_keys SET message_id = ? WHERE user_id = ? AND idem_key = ?`), msgID, userID, key); err != nil {
		return fmt.Errorf("store: reply key: %w", err)
	}
	return nil
}
