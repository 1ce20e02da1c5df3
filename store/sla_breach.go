package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SLA targets, as a breach notice's detail names them.
const (
	TargetFirstResponse = "first_response"
	TargetResolution    = "resolution"
)

// slaBreachBatch is how many breaches one pass of TellSLABreaches takes.
const slaBreachBatch = 500

// TellSLABreaches tells staff of each SLA target missed and not yet told
// of: the ticket's assignee, or every staff member when nobody is
// assigned. Each target is told of once: its notified flag is set in the
// transaction that tells, by an update that only one of two concurrent
// sweeps wins. A paused or resolved ticket's clock is not running and
// breaches nothing. It returns how many breaches were told of.
func (db *DB) TellSLABreaches(ctx context.Context) (int, error) {
	told := 0
	for {
		n, more, err := db.tellSLABreachBatch(ctx)
		told += n
		if err != nil || !more {
			return told, err
		}
	}
}

type slaBreach struct {
	TicketID int64  `db:"ticket_id"`
	Target   string `db:"target"`
}

// breachConds are each target's conditions for a breach, over ticket_sla
// s; the first two match the partial indexes of migration 0034.
var breachConds = map[string]string{
	TargetFirstResponse: `s.first_response_at IS NULL AND s.first_response_notified = FALSE AND s.first_response_due <= ?
		AND s.paused_at IS NULL AND s.resolved_at IS NULL`,
	TargetResolution: `s.resolved_at IS NULL AND s.resolution_notified = FALSE AND s.resolution_due <= ? AND s.paused_at IS NULL`,
}

func (db *DB) tellSLABreachBatch(ctx context.Context) (int, bool, error) {
	now := db.Now()
	var found []slaBreach
	// A snoozed ticket's breach waits for it to wake: staff put it away
	// until then, and its flag stays unset for the sweep after.
	const awake = ` AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = s.ticket_id AND t.snoozed_until > ?)`
	err := db.X.SelectContext(ctx, &found, db.q(`SELECT * FROM (SELECT s.ticket_id, 'first_response' AS target
			FROM ticket_sla s WHERE `+breachConds[TargetFirstResponse]+awake+` ORDER BY s.first_response_due LIMIT ?) f
		UNION ALL SELECT * FROM (SELECT s.ticket_id, 'resolution' AS target
			FROM ticket_sla s WHERE `+breachConds[TargetResolution]+awake+` ORDER BY s.resolution_due LIMIT ?) r`),
		now, now, slaBreachBatch, now, now, slaBreachBatch)
	if err != nil {
		return 0, false, fmt.Errorf("store: sla breaches: %w", err)
	}
	told := 0
	for _, b := range found {
		ok := false
		err := db.InTx(ctx, func(tx *Tx) error {
			var err error
			ok, err = tx.tellSLABreach(ctx, b, now)
			return err
		})
		if err != nil {
			return told, false, err
		}
		if ok {
			told++
		}
	}
	return told, len(found) > 0 && told > 0 && len(found) >= slaBreachBatch, nil
}

// tellSLABreach claims one breach and tells of it; false when another
// sweep (or a change to the ticket) got there first.
func (tx *Tx) tellSLABreach(ctx context.Context, b slaBreach, now time.Time) (bool, error) {
	flag, due := "first_response_notified", "first_response_due"
	if b.Target == TargetResolution {
		flag, due = "resolution_notified", "resolution_due"
	}
	res, err := tx.ExecContext(ctx, tx.q(`UPDATE ticket_sla SET `+flag+` = TRUE WHERE ticket_id = ? AND `+
		strings.ReplaceAll(breachConds[b.Target], "s.", "")), b.TicketID, now)
	if err != nil {
		return false, fmt.Errorf("store: sla breach: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	var t Ticket
	if err := tx.GetContext(ctx, &t, tx.q(`SELECT * FROM tickets WHERE id = ?`), b.TicketID); err != nil {
		return false, notFound(err, "sla breach")
	}
	var dueAt time.Time
	if err := tx.GetContext(ctx, &dueAt, tx.q(`SELECT `+due+` FROM ticket_sla WHERE ticket_id = ?`), b.TicketID); err != nil {
		return false, notFound(err, "sla breach")
	}
	if t.Status != StatusOpen || t.MergedInto != nil { // stopped by a path that keeps no SLA (a merge)
		return false, nil
	}
	n := notice{kind: NoticeSLABreach, ticket: t, detail: b.Target + "|" + dueAt.UTC().Format(time.RFC3339)}
	if t.AssigneeID != nil {
		return true, tx.tell(ctx, n, []int64{*t.AssigneeID})
	}
	return true, tx.tellEveryone(ctx, n)
}
