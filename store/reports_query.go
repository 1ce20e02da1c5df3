package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// notMoved holds for a message m a merge did not move in (an undone
// merge moved it back).
const notMoved = `NOT EXISTS (SELECT 1 FROM merge_moves mm JOIN merges g ON g.id = mm.merge_id
	WHERE mm.kind = 'message' AND mm.row_id = m.id AND g.undone_at IS NULL)`

// reportTicketsSQL finds the tickets with an event in [:from, :end) —
// created, a staff reply sent, a status changed, an SLA due or verdict, a
// rating — and reads each one's events, set by set rather than ticket by
// ticket (measured: see BenchmarkReport). A ticket created in the range is
// found without a look at its events; PostgreSQL hashes an event table
// only once a ticket created before the range needs it. A ticket's channel
// is recorded on it (tickets.channel); only one without (a split-off
// ticket) has its first own message's source read. A ticket's own messages
// are those at or after its creation that no merge moved in: a merge moves
// other tickets' messages in, and they must count neither as its channel
// nor as its first response. Its resolution is its last status change into
// or out of resolved/closed (changes between the two do not count), when
// that change went in. The window functions carry what is read of the
// first reply and the last change, so neither is looked up again.
const reportTicketsSQL = `WITH tix AS MATERIALIZED (
	SELECT t.id, t.created_at, t.category, t.channel,
		CASE WHEN t.channel = '' THEN (SELECT m.source FROM messages m WHERE m.ticket_id = t.id AND m.created_at >= t.created_at AND ` + notMoved + `
			ORDER BY m.created_at, m.id LIMIT 1) END AS source
	FROM tickets t
	WHERE t.merged_into IS NULL AND t.flag <> 'spam' AND (t.created_at >= :from AND t.created_at < :end
		OR t.id IN (SELECT ticket_id FROM messages WHERE kind = 'outbound' AND created_at >= :from AND created_at < :end)
		OR t.id IN (SELECT ticket_id FROM activity WHERE kind = 'status' AND created_at >= :from AND created_at < :end)
		OR t.id IN (SELECT ticket_id FROM ticket_sla WHERE first_response_due >= :from AND first_response_due < :end
			OR first_response_at >= :from AND first_response_at < :end
			OR resolution_due >= :from AND resolution_due < :end
			OR resolved_at >= :from AND resolved_at < :end)
		OR t.id IN (SELECT ticket_id FROM ratings WHERE updated_at >= :from AND updated_at < :end))
), replies AS (
	SELECT m.ticket_id, m.created_at, m.author_id, ROW_NUMBER() OVER (PARTITION BY m.ticket_id ORDER BY m.created_at, m.id) AS n
	FROM tix JOIN messages m ON m.ticket_id = tix.id AND m.created_at >= tix.created_at
	WHERE m.kind = 'outbound' AND m.auto = FALSE AND m.author_id IS NOT NULL AND ` + notMoved + `
), changes AS (
	SELECT a.ticket_id, a.created_at, a.actor_id, a.new_value, ROW_NUMBER() OVER (PARTITION BY a.ticket_id ORDER BY a.id DESC) AS n
	FROM tix JOIN activity a ON a.ticket_id = tix.id
	WHERE a.kind = 'status' AND (a.new_value NOT IN ('resolved', 'closed') OR a.old_value NOT IN ('resolved', 'closed'))
)
SELECT tix.id, tix.created_at, tix.category, tix.channel, tix.source,
	r.created_at AS first_response_at, r.author_id AS responder,
	c.created_at AS resolved_at, c.actor_id AS resolver,
	s.first_response_due AS sla_first_due, s.first_response_at AS sla_first_at,
	s.resolution_due AS sla_resolution_due, s.resolved_at AS sla_resolved_at
FROM tix
LEFT JOIN replies r ON r.ticket_id = tix.id AND r.n = 1
LEFT JOIN changes c ON c.ticket_id = tix.id AND c.n = 1 AND c.new_value IN ('resolved', 'closed')
LEFT JOIN ticket_sla s ON s.ticket_id = tix.id`

// reportPostgresSettings hold for the report's query on PostgreSQL: its
// estimates run high (every ticket may have an event in range), which
// would have it compile the query (JIT) for longer than it runs, and its
// sorts of a range's replies and changes fit in memory.
var reportPostgresSettings = []string{`SET LOCAL jit = off`, `SET LOCAL work_mem = '64MB'`}

// reportTickets calls each for every ticket reportTicketsSQL finds.
func (db *DB) reportTickets(ctx context.Context, from, end time.Time, each func(reportTicket)) error {
	query, args, err := sqlx.Named(reportTicketsSQL, map[string]any{"from": from, "end": end})
	if err != nil {
		return fmt.Errorf("store: report: %w", err)
	}
	if db.Dialect != Postgres {
		return scanReportTickets(each)(db.X.QueryContext(ctx, db.q(query), args...))
	}
	tx, err := db.X.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: report tickets: %w", err)
	}
	defer tx.Rollback()
	for _, set := range reportPostgresSettings {
		if _, err := tx.ExecContext(ctx, set); err != nil {
			return fmt.Errorf("store: report settings: %w", err)
		}
	}
	return scanReportTickets(each)(tx.QueryContext(ctx, db.q(query), args...))
}

// scanReportTickets reads reportTicketsSQL's rows column by column and
// hands each on as it comes: a range can hold every ticket, and sqlx's
// reflection and a slice of them all took a good part of the report's time.
func scanReportTickets(each func(reportTicket)) func(*sql.Rows, error) error {
	return func(rows *sql.Rows, err error) error {
		if err != nil {
			return fmt.Errorf("store: report tickets: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var t reportTicket
			if err := rows.Scan(&t.ID, &t.CreatedAt, &t.Category, &t.Channel, &t.Source, &t.FirstResponseAt, &t.Responder,
				&t.ResolvedAt, &t.Resolver, &t.FirstDue, &t.FirstAt, &t.ResolutionDue, &t.ResolutionAt); err != nil {
				return fmt.Errorf("store: report tickets: %w", err)
			}
			each(t)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: report tickets: %w", err)
		}
		return nil
	}
}

// reportRating is a rating given or changed in the range.
type reportRating struct {
	TicketID  int64     `db:"ticket_id"`
	Number    int64     `db:"number"`
	Rating    string    `db:"rating"`
	Comment   string    `db:"comment"`
	UpdatedAt time.Time `db:"updated_at"`
}

func (db *DB) reportRatings(ctx context.Context, from, end time.Time) ([]reportRating, error) {
	var out []reportRating
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT r.ticket_id, t.number, r.rating, r.comment, r.updated_at
		FROM ratings r JOIN tickets t ON t.id = r.ticket_id
		WHERE r.updated_at >= ? AND r.updated_at < ? ORDER BY r.updated_at DESC, r.id DESC`), from, end)
	if err != nil {
		return nil, fmt.Errorf("store: report ratings: %w", err)
	}
	return out, nil
}

// reportNames are staff members' names (their address when they have
// none), by id as text.
func (db *DB) reportNames(ctx context.Context, ids []int64) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	query, args, err := sqlx.In(`SELECT id, name, email FROM users WHERE id IN (?)`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: report names: %w", err)
	}
	var users []struct {
		ID    int64  `db:"id"`
		Name  string `db:"name"`
		Email string `db:"email"`
	}
	if err := db.X.SelectContext(ctx, &users, db.q(query), args...); err != nil {
		return nil, fmt.Errorf("store: report names: %w", err)
	}
	for _, u := range users {
		out[fmt.Sprint(u.ID)] = u.Name
		if u.Name == "" {
			out[fmt.Sprint(u.ID)] = u.Email
		}
	}
	return out, nil
}
