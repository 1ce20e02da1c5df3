package store

import (
	"context"
	"slices"
	"strings"
	"time"
)

// SortDue sorts the inbox by SLA due (InboxQuery.Sort).
const SortDue = "due"

// noDue is the sort key of a ticket whose SLA clock is not running: after
// every real due (and within what a cursor's nanoseconds can hold).
var noDue = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

// rowSLA is an inbox row's SLA clock (ticket_sla); all nil when no policy
// applies.
type rowSLA struct {
	SLAPolicyID         *int64     `db:"sla_policy_id"`
	SLAFirstResponseDue *time.Time `db:"sla_first_response_due"`
	SLAFirstResponseAt  *time.Time `db:"sla_first_response_at"`
	SLAResolutionDue    *time.Time `db:"sla_resolution_due"`
	SLAResolvedAt       *time.Time `db:"sla_resolved_at"`
	SLAPausedAt         *time.Time `db:"sla_paused_at"`
}

// SLANextDue is the row's nearer running due (TicketSLA.NextDue).
func (r rowSLA) SLANextDue() *time.Time {
	return TicketSLA{FirstResponseDue: r.SLAFirstResponseDue, FirstResponseAt: r.SLAFirstResponseAt,
		ResolutionDue: r.SLAResolutionDue, ResolvedAt: r.SLAResolvedAt, PausedAt: r.SLAPausedAt}.NextDue()
}

// rowSLAColumns are rowSLA's columns over ticket_sla sla.
const rowSLAColumns = ` sla.policy_id AS sla_policy_id, sla.first_response_due AS sla_first_response_due,
	sla.first_response_at AS sla_first_response_at, sla.resolution_due AS sla_resolution_due,
	sla.resolved_at AS sla_resolved_at, sla.paused_at AS sla_paused_at`

// duePage is ticketPage sorted by the nearest running SLA due, then id;
// the cursor is (due, id), with noDue for tickets without one.
func (db *DB) duePage(ctx context.Context, viewerID int64, from string, where []string, args []any, after *Cursor, limit int) (*InboxPage, error) {
	args = slices.Clip(args)
	if after != nil {
		where, args = append(where, `(COALESCE(`+nextDueSQL("sd")+`, ?), t.id) > (?, ?)`), append(args, noDue, after.Due.UTC(), after.ID)
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	query := `SELECT p.*, c.email AS customer_email, c.name AS customer_name, a.email AS assignee_email,
			COALESCE(tr.messages, 0) AS messages, tr.last_id, COALESCE(tr.last_kind, '') AS last_kind, tr.last_at,
			COALESCE(tr.preview, '') AS preview, COALESCE(tr.last_inbound_id, 0) AS last_inbound_id,
			COALESCE(rd.message_id, 0) AS read_id,` + rowSLAColumns + `
		FROM (SELECT t.* FROM ` + from + ` LEFT JOIN ticket_sla sd ON sd.ticket_id = t.id ` + cond + `
			ORDER BY COALESCE(` + nextDueSQL("sd") + `, ?), t.id LIMIT ?) p
		JOIN users c ON c.id = p.customer_id
		LEFT JOIN users a ON a.id = p.assignee_id
		LEFT JOIN ticket_rows tr ON tr.ticket_id = p.id
		LEFT JOIN ticket_reads rd ON rd.user_id = ? AND rd.ticket_id = p.id
		LEFT JOIN ticket_sla sla ON sla.ticket_id = p.id
		ORDER BY COALESCE(` + nextDueSQL("sla") + `, ?), p.id`
	var rows []InboxRow
	if err := db.X.SelectContext(ctx, &rows, db.q(query), append(args, noDue, limit+1, viewerID, noDue)...); err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Preview = previewLine(rows[i].Preview)
	}
	page := &InboxPage{Rows: rows}
	if len(rows) > limit {
		last := rows[limit-1]
		page.Rows = rows[:limit]
		page.Next = &Cursor{ByDue: true, Due: noDue, ID: last.ID}
		if due := last.SLANextDue(); due != nil {
			page.Next.Due = due.UTC()
		}
	}
	return page, nil
}
