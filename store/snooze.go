package store

import (
	"context"
	"fmt"
	"time"
)

// NoticeSnoozeEnded tells the assignee (or, on an unassigned ticket, the
// staff member who snoozed it) that a snoozed ticket came back at its
// time. They are told only if they follow the ticket; a customer's answer
// that ends a snooze tells followers as a customer reply instead.
const NoticeSnoozeEnded = "snooze_ended"

// MaxSnooze is the furthest ahead a ticket can be snoozed.
const MaxSnooze = 366 * Day

// Snooze hides an open or pending ticket from the inbox queues until
// until, which must be in the future (at most MaxSnooze ahead). Snoozing a
// snoozed ticket moves its time.
func (db *DB) Snooze(ctx context.Context, ticketID, actorID int64, until time.Time) error {
	now := db.Now()
	if !until.After(now) {
		return fmt.Errorf("%w: a snooze ends in the future", ErrInvalidChange)
	}
	if until.Sub(now) > MaxSnooze {
		return fmt.Errorf("%w: a snooze ends within a year", ErrInvalidChange)
	}
	until = until.UTC().Truncate(time.Second)
	return db.InTx(ctx, func(tx *Tx) error {
		var t Ticket
		if err := tx.GetContext(ctx, &t, tx.q(`SELECT * FROM tickets WHERE id = ?`), ticketID); err != nil {
			return notFound(err, "snooze")
		}
		if t.MergedInto != nil || (t.Status != StatusOpen && t.Status != StatusPending) {
			return fmt.Errorf("%w: only open and pending tickets snooze", ErrInvalidChange)
		}
		// The condition again in the update: a resolve or merge that
		// committed since the read leaves nothing to snooze.
		res, err := tx.ExecContext(ctx, tx.q(`UPDATE tickets SET snoozed_until = ?, snoozed_by = ?, updated_at = ?
			WHERE id = ? AND merged_into IS NULL AND status IN ('open', 'pending')`), until, nullID(actorID), now, ticketID)
		if err != nil {
			return fmt.Errorf("store: snooze: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("%w: only open and pending tickets snooze", ErrInvalidChange)
		}
		old := ""
		if t.Snoozed(now) {
			old = t.SnoozedUntil.UTC().Format(time.RFC3339)
		}
		if err := tx.recordActivity(ctx, ticketID, actorID, ActivitySnooze, old, until.Format(time.RFC3339), now); err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditTicketSnooze, TicketID: ticketID,
			Detail: map[string]any{"until": until.Format(time.RFC3339)}})
	})
}

// Unsnooze brings a snoozed ticket back into the queues now; it tells
// nobody (the staff member did it). Unsnoozing a ticket not snoozed does
// nothing.
func (db *DB) Unsnooze(ctx context.Context, ticketID, actorID int64) error {
	return db.InTx(ctx, func(tx *Tx) error {
		var t Ticket
		if err := tx.GetContext(ctx, &t, tx.q(`SELECT * FROM tickets WHERE id = ?`), ticketID); err != nil {
			return notFound(err, "unsnooze")
		}
		return tx.wake(ctx, &t, actorID, db.Now(), "staff")
	})
}

// wake clears the ticket's snooze, if any, and records who or what ended
// it: "staff", "customer" or "time". It tells nobody.
func (tx *Tx) wake(ctx context.Context, t *Ticket, actorID int64, now time.Time, by string) error {
	if t.SnoozedUntil == nil {
		return nil
	}
	until := t.SnoozedUntil.UTC().Format(time.RFC3339)
	if _, err := tx.ExecContext(ctx, tx.q(`UPDATE tickets SET snoozed_until = NULL, snoozed_by = NULL WHERE id = ?`), t.ID); err != nil {
		return fmt.Errorf("store: wake: %w", err)
	}
	t.SnoozedUntil, t.SnoozedBy = nil, nil
	if err := tx.recordActivity(ctx, t.ID, actorID, ActivityUnsnooze, until, by, now); err != nil {
		return err
	}
	return tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditTicketUnsnooze, TicketID: t.ID, Detail: map[string]any{"until": until, "by": by}})
}

// wakeByTime wakes a ticket whose snooze ran out and tells the one it
// comes back to, if they follow it.
func (tx *Tx) wakeByTime(ctx context.Context, id int64, now time.Time) (bool, error) {
	t, ok, err := tx.claim(ctx, id, `snoozed_until <= ?`, now)
	if !ok || err != nil {
		return false, err
	}
	back := t.AssigneeID
	if back == nil {
		back = t.SnoozedBy
	}
	until := t.SnoozedUntil.UTC().Format(time.RFC3339)
	if err := tx.wake(ctx, &t, 0, now, "time"); err != nil {
		return false, err
	}
	if back == nil {
		return true, nil
	}
	var follows int
	if err := tx.GetContext(ctx, &follows, tx.q(`SELECT COUNT(*) FROM followers WHERE ticket_id = ? AND user_id = ?`), id, *back); err != nil {
		return false, fmt.Errorf("wake: %w", err)
	}
	if follows == 0 {
		return true, nil
	}
	return true, tx.tell(ctx, notice{kind: NoticeSnoozeEnded, ticket: t, detail: until}, []int64{*back})
}

// SnoozeChoice is one of the snooze presets: its form value, its label
// and when it ends.
type SnoozeChoice struct {
	Key, Label string
	Until      time.Time
}

// SnoozePresets are the snooze presets at now in loc, the staff member's
// time zone: later today (in 3 hours), tomorrow 9:00, in 3 days (same wall
// clock time), next Monday 9:00 (a week on, on a Monday).
func SnoozePresets(now time.Time, loc *time.Location) []SnoozeChoice {
	local := now.In(loc)
	y, m, d := local.Date()
	toMonday := (8 - int(local.Weekday())) % 7
	if toMonday == 0 {
		toMonday = 7
	}
	return []SnoozeChoice{
		{Key: "later", Label: "Later today (in 3 h)", Until: now.Add(3 * time.Hour)},
		{Key: "tomorrow", Label: "Tomorrow 9:00", Until: time.Date(y, m, d+1, 9, 0, 0, 0, loc)},
		{Key: "3days", Label: "In 3 days", Until: local.AddDate(0, 0, 3)},
		{Key: "monday", Label: "Next Monday 9:00", Until: time.Date(y, m, d+toMonday, 9, 0, 0, 0, loc)},
	}
}

// SnoozePreset is the preset with the key; false for an unknown key.
func SnoozePreset(key string, now time.Time, loc *time.Location) (time.Time, bool) {
	for _, c := range SnoozePresets(now, loc) {
		if c.Key == key {
			return c.Until, true
		}
	}
	return time.Time{}, false
}
