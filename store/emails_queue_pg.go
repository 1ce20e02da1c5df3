package store

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// queueEmailOneStatement is PostgreSQL's queueEmail for a mail without a
// sealed part, in one statement: mailGate's check and the loop guard,
// the emails row, and its outbox row (the payload outboxPayload makes)
// when the mail is queued.
func (tx *Tx) queueEmailOneStatement(ctx context.Context, e QueuedEmail, to string, action *int64, now time.Time) (int64, string, error) {
	ctes, args := queueEmailCTEs(e, to, action, now, 0, "TRUE")
	var out struct {
		ID     int64  `db:"id"`
		Status string `db:"status"`
	}
	if err := tx.GetContext(ctx, &out, `WITH `+ctes+` SELECT id, status FROM ee`, args...); err != nil {
		return 0, "", fmt.Errorf("store: queue email: %w", err)
	}
	return out.ID, out.Status, nil
}

// queueEmailCTEs is the WITH list of queueEmailOneStatement, its
// placeholders numbered from after+1, for a statement that also does
// other things: its ee is the emails row (id, status), written only when
// the SQL condition when holds.
func queueEmailCTEs(e QueuedEmail, to string, action *int64, now time.Time, after int, when string) (string, []any) {
	var notBefore *time.Time
	if !e.NotBefore.IsZero() {
		notBefore = &e.NotBefore
	}
	limit := 0 // no loop guard
	if e.Auto && e.Cap > 0 {
		limit = e.Cap
	}
	g := mailGate(e.Kind, "er.email", "er.user_id")
	ctes := `er AS (
			SELECT CAST($2 AS TEXT) AS email, COALESCE(CAST($1 AS BIGINT), (SELECT COALESCE(merged_into, id) FROM users WHERE email = $2)) AS user_id
			WHERE ` + when + `),
		eg AS (
			SELECT ` + g.status + ` AS status, ` + g.reason + ` AS reason,
				(SELECT COUNT(*) FROM emails WHERE to_email = er.email AND auto AND created_at > $13) AS recent
			FROM er ` + g.joins + `),
		ev AS (
			SELECT CASE WHEN eg.status = '` + EmailQueued + `' AND $14 > 0 AND eg.recent >= $14 THEN '` + EmailSuppressed + `' ELSE eg.status END AS status,
				CASE WHEN eg.status = '` + EmailQueued + `' AND $14 > 0 AND eg.recent >= $14
					THEN 'loop guard: ' || eg.recent || ' automatic mails within ' || CAST($15 AS TEXT) ELSE eg.reason END AS reason
			FROM eg),
		ee AS (
			INSERT INTO emails (user_id, to_email, kind, ticket_id, message_id, subject, status, auto, reason, created_at, action_id, announces)
			SELECT $1, $2, $3, $4, $5, $6, ev.status, $8, ev.reason, $9, $10, $11 FROM ev RETURNING id, status),
		eo AS (
			INSERT INTO outbox (kind, email_id, payload, created_at, not_before)
			SELECT $3, ee.id, '{"email_id":' || ee.id || '}', $9, $12 FROM ee WHERE ee.status = $7)`
	ctes = placeholder.ReplaceAllStringFunc(ctes, func(p string) string {
		n, _ := strconv.Atoi(p[1:])
		return "$" + strconv.Itoa(n+after)
	})
	return ctes, []any{e.UserID, to, e.Kind, e.TicketID, e.MessageID, e.Subject, EmailQueued, e.Auto, now, action, e.Announces, notBefore,
		now.Add(-e.Window), limit, e.Window.String()}
}

var placeholder = regexp.MustCompile(`\$[0-9]+`)
