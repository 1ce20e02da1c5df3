package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dargo-support/dargo/internal/bizhours"
)

// TicketSLA is a ticket's row in ticket_sla (migration 0032): its dues and
// the times that met or missed them. Reports read it; syncSLA writes it.
type TicketSLA struct {
	TicketID              int64      `db:"ticket_id"`
	PolicyID              *int64     `db:"policy_id"`
	FirstResponseDue      *time.Time `db:"first_response_due"`
	FirstResponseAt       *time.Time `db:"first_response_at"`
	ResolutionDue         *time.Time `db:"resolution_due"`
	ResolvedAt            *time.Time `db:"resolved_at"`
	PausedAt              *time.Time `db:"paused_at"`
	FirstResponseNotified bool       `db:"first_response_notified"`
	ResolutionNotified    bool       `db:"resolution_notified"`
	UpdatedAt             time.Time  `db:"updated_at"`
}

// NextDue is the nearer due whose clock runs: nil while paused or
// resolved, or when both targets are met or unset. The inbox sorts by it
// (nextDueSQL says the same in SQL).
func (s TicketSLA) NextDue() *time.Time {
	if s.PausedAt != nil || s.ResolvedAt != nil {
		return nil
	}
	if s.FirstResponseAt == nil && s.FirstResponseDue != nil && (s.ResolutionDue == nil || s.FirstResponseDue.Before(*s.ResolutionDue)) {
		return s.FirstResponseDue
	}
	return s.ResolutionDue
}

// nextDueSQL is NextDue over ticket_sla alias a.
func nextDueSQL(a string) string {
	return `CASE WHEN ` + a + `.paused_at IS NOT NULL OR ` + a + `.resolved_at IS NOT NULL THEN NULL
		WHEN ` + a + `.first_response_at IS NULL AND ` + a + `.first_response_due IS NOT NULL
			AND (` + a + `.resolution_due IS NULL OR ` + a + `.first_response_due < ` + a + `.resolution_due) THEN ` + a + `.first_response_due
		ELSE ` + a + `.resolution_due END`
}

// TicketSLA returns a ticket's SLA row, or ErrNotFound when no policy
// applies to it.
func (db *DB) TicketSLA(ctx context.Context, ticketID int64) (*TicketSLA, error) {
	var s TicketSLA
	if err := db.X.GetContext(ctx, &s, db.q(`SELECT * FROM ticket_sla WHERE ticket_id = ?`), ticketID); err != nil {
		return nil, notFound(err, "ticket sla")
	}
	return &s, nil
}

// syncSLA is the one hook the ticket paths call, in their transaction,
// after they created a ticket, stored a staff reply or changed a status,
// priority or category: it recomputes the ticket's SLA row from the
// recorded events (its creation, its status history in activity, its
// first public staff reply) under the policy that now fits it. Dues are
// never shifted in place, so a schedule's new zone or hours count from the
// next event on. A ticket no policy fits has no row.
func (tx *Tx) syncSLA(ctx context.Context, ticketID int64) error {
	// The ticket's policy in one look-up; the ticket itself is read only
	// when it has one.
	var p SLAPolicy
	args := []any{ticketID}
	policy := `SELECT p.* FROM tickets t JOIN sla_policies p ON p.priority = t.priority AND p.category IN (t.category, '')
		WHERE t.id = ? ORDER BY p.category DESC LIMIT 1`
	if tx.db.Dialect == Postgres {
		// Without a policy the ticket's SLA row goes, in the same statement.
		policy = `WITH p AS (` + policy + `),
			gone AS (DELETE FROM ticket_sla WHERE ticket_id = ? AND NOT EXISTS (SELECT 1 FROM p))
			SELECT * FROM p`
		args = append(args, ticketID)
	}
	err := tx.GetContext(ctx, &p, tx.q(policy), args...)
	if errors.Is(err, sqlErrNoRows) && tx.db.Dialect != Postgres {
		_, err = tx.ExecContext(ctx, tx.q(`DELETE FROM ticket_sla WHERE ticket_id = ?`), ticketID)
	}
	if err != nil && !errors.Is(err, sqlErrNoRows) {
		return fmt.Errorf("store: sla: %w", err)
	}
	if p.ID == 0 {
		return nil
	}
	var t Ticket
	if err := tx.GetContext(ctx, &t, tx.q(`SELECT * FROM tickets WHERE id = ?`), ticketID); err != nil {
		return notFound(err, "sla")
	}
	sched, err := tx.db.schedule(ctx, tx, p.ScheduleID)
	if err != nil {
		return err
	}
	ev, err := tx.slaEvents(ctx, t)
	if err != nil {
		return err
	}
	row := ev.compute(sched, p)
	now := tx.db.Now()
	// A due moved past now is a new target, to be told of again when
	// missed; one still past keeps what the breach sweep already did.
	_, err = tx.ExecContext(ctx, tx.q(`INSERT INTO ticket_sla (ticket_id, policy_id, first_response_due, first_response_at,
			resolution_due, resolved_at, paused_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET policy_id = excluded.policy_id,
			first_response_due = excluded.first_response_due, first_response_at = excluded.first_response_at,
			resolution_due = excluded.resolution_due, resolved_at = excluded.resolved_at, paused_at = excluded.paused_at,
			updated_at = excluded.updated_at,
			first_response_notified = CASE WHEN excluded.first_response_due IS NULL OR excluded.first_response_due > ? THEN FALSE
				ELSE ticket_sla.first_response_notified END,
			resolution_notified = CASE WHEN excluded.resolution_due IS NULL OR excluded.resolution_due > ? THEN FALSE
				ELSE ticket_sla.resolution_notified END`),
		t.ID, p.ID, row.FirstResponseDue, row.FirstResponseAt, row.ResolutionDue, row.ResolvedAt, row.PausedAt, now, now, now)
	if err != nil {
		return fmt.Errorf("store: sla: %w", err)
	}
	return nil
}

// slaEvents are what a ticket's dues are computed from.
type slaEvents struct {
	created    time.Time
	stops      []stop     // spans the clocks did not run: not open
	pausedAt   *time.Time // since when it is pending, if it is
	resolvedAt *time.Time // since when it is resolved or closed, if it is
	firstReply *time.Time // the first public staff reply
}

// stop is a span a ticket was not open; to is nil while it lasts.
type stop struct {
	from time.Time
	to   *time.Time
}

func (tx *Tx) slaEvents(ctx context.Context, t Ticket) (slaEvents, error) {
	ev := slaEvents{created: t.CreatedAt}
	var changes []struct {
		Old string    `db:"old_value"`
		New string    `db:"new_value"`
		At  time.Time `db:"created_at"`
	}
	if err := tx.SelectContext(ctx, &changes, tx.q(`SELECT old_value, new_value, created_at FROM activity
		WHERE ticket_id = ? AND kind = 'status' ORDER BY id`), t.ID); err != nil {
		return ev, fmt.Errorf("store: sla: %w", err)
	}
	status := t.Status
	if len(changes) > 0 {
		status = changes[0].Old
	}
	var since time.Time // when status began
	set := func(next string, at time.Time) {
		if next == status {
			return
		}
		switch {
		case status == StatusOpen:
			ev.stops = append(ev.stops, stop{from: at})
		case next == StatusOpen:
			ev.stops[len(ev.stops)-1].to = &at
		}
		if !done(status) && done(next) || next == StatusPending {
			since = at
		}
		status = next
	}
	if status != StatusOpen {
		ev.stops = append(ev.stops, stop{from: t.CreatedAt})
	}
	since = t.CreatedAt
	for _, c := range changes {
		set(c.New, c.At)
	}
	last := t.UpdatedAt // a change no activity row tells of (a merge)
	if t.StatusAt != nil {
		last = *t.StatusAt
	}
	set(t.Status, last)
	switch {
	case status == StatusPending:
		ev.pausedAt = &since
	case done(status):
		ev.resolvedAt = &since
	}
	var first []time.Time
	if err := tx.SelectContext(ctx, &first, tx.q(`SELECT m.created_at FROM messages m JOIN users u ON u.id = m.author_id
		WHERE m.ticket_id = ? AND m.kind = 'outbound' AND m.auto = FALSE AND u.role IN ('staff', 'admin')
		ORDER BY m.created_at, m.id LIMIT 1`), t.ID); err != nil {
		return ev, fmt.Errorf("store: sla: %w", err)
	}
	if len(first) > 0 {
		ev.firstReply = &first[0]
	}
	return ev, nil
}

// done is a status whose resolution clock has stopped.
func done(status string) bool { return status == StatusResolved || status == StatusClosed }

// compute is the ticket's SLA row under the policy and schedule.
func (ev slaEvents) compute(s *bizhours.Schedule, p SLAPolicy) TicketSLA {
	row := TicketSLA{FirstResponseAt: utc(ev.firstReply), ResolvedAt: utc(ev.resolvedAt), PausedAt: utc(ev.pausedAt)}
	if p.FirstResponse > 0 {
		due := ev.due(s, p.FirstResponseTarget())
		row.FirstResponseDue = &due
	}
	if p.Resolution > 0 {
		due := ev.due(s, p.ResolutionTarget())
		row.ResolutionDue = &due
	}
	return row
}

// due is when target business time has run since creation, the clock
// stopped while the ticket was not open. While it is stopped, the due is
// where it would be were it open again: leaving pending moves the due
// later by the business time spent there.
func (ev slaEvents) due(s *bizhours.Schedule, target time.Duration) time.Time {
	at, left := ev.created, target
	for _, st := range ev.stops {
		if st.from.After(at) {
			due := s.Add(at, left)
			if !due.After(st.from) || st.to == nil {
				return due.UTC()
			}
			left -= s.Between(at, st.from)
		}
		if st.to == nil {
			return s.Add(at, left).UTC() // stopped since it was made
		}
		if st.to.After(at) {
			at = *st.to
		}
	}
	return s.Add(at, left).UTC()
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
