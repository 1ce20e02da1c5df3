package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// ErrBlocked is returned by RecordInbound when the sender is on the
// do-not-recreate list (InboundRoute.CheckBlocked); nothing was written.
var ErrBlocked = errors.New("store: sender blocked")

// InboundRoute is what a mail says about the ticket it belongs to.
// RecordInbound resolves it inside its transaction, so the route it acts on
// cannot change before the mail is written.
type InboundRoute struct {
	ReplyNumbers  []int64  // ticket numbers of valid reply addresses, in the recipients' order
	ThreadIDs     []string // References, then In-Reply-To
	SubjectNumber int64    // the [#N] subject tag, or 0
	// Ambiguous says why the From names nobody for sure: then only a reply
	// address routes, and it never proves a participant.
	Ambiguous    string
	CheckBlocked bool // refuse a sender on the do-not-recreate list (ErrBlocked)
	// Decide completes the mail once its route is known, inside the
	// transaction and without the database: the sender's proof, a flag,
	// the ticket (it may send the mail to a new one). It returns why no
	// message is written (the mail is then recorded as ignored), or "".
	Decide func(r Route, in *Incoming) (ignore string)
}

// Route is where a mail goes: Ticket, or nil for a new ticket.
type Route struct {
	Ticket  *Ticket
	ReplyTo int64 // the ticket number when a valid reply address routed it
	// FromParticipant: the From of a mail routed by reply address already
	// takes part in the ticket.
	FromParticipant bool
	Why             string // why a header or subject match was refused
}

// routeRow is one candidate ticket of a route, or one of the checks beside it.
type routeRow struct {
	Src    string `db:"src"` // r: reply address, t: thread id, s: subject tag, d: Message-ID seen, b: blocked, c: claimed
	Ord    int64  `db:"ord"`
	ID     int64  `db:"id"`
	Number int64  `db:"number"`
	Yes    bool   `db:"yes"` // the From takes part in the ticket; or the check's answer
}

// routeChecks are the answers that come with the candidates.
type routeChecks struct {
	seen, blocked, claimed bool
}

// ResolveRoute finds the ticket a mail from `from` belongs to, in this
// order: a reply address; In-Reply-To/References matching a thread id; a
// [#N] subject tag. Header and subject matches count only when the sender
// takes part in the ticket. A merged ticket routes to its survivor.
func (db *DB) ResolveRoute(ctx context.Context, r InboundRoute, from string) (Route, error) {
	rows, err := db.routeRows(ctx, db.X, r, from, "", 0, 0)
	if err != nil {
		return Route{}, err
	}
	rt, _ := pickRoute(rows, r, from)
	return rt, nil
}

// routeRows asks, in one query, for every candidate ticket of the route
// (merge chains followed to the survivor) with whether From takes part in
// it, and whether messageID was seen before and From is blocked. On
// PostgreSQL, a claimID > 0 also claims that inbound_mail row in the same
// statement.
func (db *DB) routeRows(ctx context.Context, q sqlx.QueryerContext, r InboundRoute, from, messageID string, claimID int64, claimAt any) ([]routeRow, error) {
	var cand []string
	var args []any
	claim := ""
	if claimID != 0 {
		claim = `claim AS (UPDATE inbound_mail SET processed_at = ? WHERE id = ? AND status <> 'processed' RETURNING id), `
		args = append(args, claimAt, claimID)
	}
	for i, n := range r.ReplyNumbers {
		cand = append(cand, `SELECT CAST('r' AS TEXT), CAST(? AS BIGINT), id FROM tickets WHERE number = ?`)
		args = append(args, i, n)
	}
	if r.Ambiguous == "" {
		for i, id := range canonicalIDs(r.ThreadIDs) {
			cand = append(cand, `SELECT CAST('t' AS TEXT), CAST(? AS BIGINT), ticket_id FROM thread_ids WHERE message_id = ?`)
			args = append(args, i, id)
		}
		if r.SubjectNumber > 0 {
			cand = append(cand, `SELECT CAST('s' AS TEXT), CAST(0 AS BIGINT), id FROM tickets WHERE number = ?`)
			args = append(args, r.SubjectNumber)
		}
	}
	if len(cand) == 0 {
		cand = append(cand, `SELECT CAST('r' AS TEXT), CAST(0 AS BIGINT), id FROM tickets WHERE 1 = 0`)
	}
	email := NormalizeEmail(from)
	// Each candidate's ticket is looked up by its key. On PostgreSQL a
	// LATERAL lookup (OFFSET 0 keeps it one) says so whatever the planner
	// thinks of the tickets table: without statistics yet (a new desk, or
	// a table grown since autovacuum last looked) it joined by scanning
	// every ticket.
	ticket := func(cond string) string {
		if db.Dialect == Postgres {
			return `chain c CROSS JOIN LATERAL (SELECT id, number, merged_into FROM tickets WHERE id = c.id AND ` + cond + ` OFFSET 0) t`
		}
		return `chain c JOIN tickets t ON t.id = c.id WHERE ` + cond
	}
	query := `WITH RECURSIVE ` + claim + `cand(src, ord, id) AS (` + strings.Join(cand, " UNION ALL ") + `),
		chain(src, ord, id, depth) AS (
			SELECT src, ord, id, 0 FROM cand
			UNION ALL SELECT c.src, c.ord, t.merged_into, c.depth + 1 FROM ` + ticket(`merged_into IS NOT NULL AND c.depth < CAST(? AS INTEGER)`) + `)
		SELECT CAST(c.src AS TEXT) AS src, CAST(c.ord AS BIGINT) AS ord, t.id AS id, t.number AS number,
			EXISTS (SELECT 1 FROM participants p JOIN users u ON COALESCE(u.merged_into, u.id) = p.user_id
				WHERE p.ticket_id = t.id AND u.email = ?) AS yes
		FROM ` + ticket(`merged_into IS NULL`) + `
		UNION ALL SELECT 'd', 0, 0, 0, EXISTS (SELECT 1 FROM thread_ids WHERE message_id = ?)
		UNION ALL SELECT 'b', 0, 0, 0, EXISTS (SELECT 1 FROM blocked_addresses WHERE hash = ?)`
	args = append(args, maxMergeChain, email, CanonicalID(messageID), BlockHash(from))
	if claim != "" {
		query += ` UNION ALL SELECT 'c', 0, 0, 0, EXISTS (SELECT 1 FROM claim)`
	}
	var rows []routeRow
	if err := sqlx.SelectContext(ctx, q, &rows, db.q(query), args...); err != nil {
		return nil, fmt.Errorf("store: route: %w", err)
	}
	return rows, nil
}

// pickRoute applies the route's order to the candidates.
func pickRoute(rows []routeRow, r InboundRoute, from string) (Route, routeChecks) {
	var ck routeChecks
	var reply, thread, subject *routeRow
	for i := range rows {
		row := &rows[i]
		switch row.Src {
		case "d":
			ck.seen = row.Yes
		case "b":
			ck.blocked = row.Yes
		case "c":
			ck.claimed = row.Yes
		case "r":
			if reply == nil || row.Ord < reply.Ord {
				reply = row
			}
		case "t": // the latest id wins
			if thread == nil || row.Ord > thread.Ord {
				thread = row
			}
		case "s":
			subject = row
		}
	}
	if reply != nil {
		return Route{Ticket: &Ticket{ID: reply.ID, Number: reply.Number}, ReplyTo: reply.Number,
			FromParticipant: reply.Yes && r.Ambiguous == ""}, ck
	}
	if r.Ambiguous != "" {
		var rt Route
		if r.SubjectNumber > 0 || len(r.ThreadIDs) > 0 {
			rt.Why = r.Ambiguous + ": not matched to a ticket by headers or subject; opened a new ticket"
		}
		return rt, ck
	}
	var refused []string
	for _, c := range []struct {
		row *routeRow
		by  string
	}{{thread, "thread headers"}, {subject, "subject tag"}} {
		if c.row == nil {
			continue
		}
		if c.row.Yes {
			return Route{Ticket: &Ticket{ID: c.row.ID, Number: c.row.Number}}, ck
		}
		refused = append(refused, fmt.Sprintf("#%d by %s", c.row.Number, c.by))
	}
	var rt Route
	if len(refused) > 0 {
		rt.Why = "sender " + from + " is not a participant of the matched ticket (" + strings.Join(refused, ", ") + "); opened a new ticket"
	}
	return rt, ck
}

// claimAndRoute claims the inbound mail row (ErrProcessed when another
// consumer finished it), refuses a Message-ID seen before (ErrDuplicate)
// and, with a Route, a blocked sender (ErrBlocked); then it resolves the
// route and lets Decide complete the mail. On PostgreSQL all of it is one
// statement. It returns why no message is to be written (the mail is then
// recorded as ignored), or "".
func (tx *Tx) claimAndRoute(ctx context.Context, d *Incoming, now any) (string, error) {
	var rows []routeRow
	claimed := d.InboundMailID == 0
	oneStatement := d.InboundMailID != 0 && d.Route != nil && tx.db.Dialect == Postgres
	if oneStatement {
		var err error
		if rows, err = tx.db.routeRows(ctx, tx, *d.Route, d.From.Email, d.Message.MessageID, d.InboundMailID, now); err != nil {
			return "", err
		}
	} else {
		if d.InboundMailID != 0 {
			// Claim the inbound row first: a second consumer of the same mail
			// waits here for the first to commit, then finds it processed.
			res, err := tx.ExecContext(ctx, tx.q(`UPDATE inbound_mail SET processed_at = ? WHERE id = ? AND status <> 'processed'`), now, d.InboundMailID)
			if err != nil {
				return "", fmt.Errorf("store: record inbound: claim inbound mail: %w", err)
			}
			n, err := res.RowsAffected()
			claimed = err == nil && n > 0
		}
		if claimed && d.Route != nil {
			var err error
			if rows, err = tx.db.routeRows(ctx, tx, *d.Route, d.From.Email, d.Message.MessageID, 0, nil); err != nil {
				return "", err
			}
		}
	}
	if d.Route == nil {
		if !claimed {
			return "", fmt.Errorf("store: record inbound: inbound mail %d: %w", d.InboundMailID, ErrProcessed)
		}
		return "", tx.checkNewMessageID(ctx, d.Message.MessageID)
	}
	rt, ck := pickRoute(rows, *d.Route, d.From.Email)
	if oneStatement {
		claimed = ck.claimed
	}
	switch {
	case !claimed:
		return "", fmt.Errorf("store: record inbound: inbound mail %d: %w", d.InboundMailID, ErrProcessed)
	case d.Message.MessageID != "" && ck.seen:
		return "", ErrDuplicate
	case d.Route.CheckBlocked && ck.blocked:
		return "", ErrBlocked
	}
	d.TicketID = 0
	if rt.Ticket != nil {
		d.TicketID = rt.Ticket.ID
	}
	if d.Route.Decide == nil {
		return "", nil
	}
	ignore := d.Route.Decide(rt, d)
	if ignore != "" && d.InboundMailID != 0 {
		return ignore, tx.finishInbound(ctx, d.InboundMailID, Outcome{Status: "processed", Action: "ignored", Reason: ignore})
	}
	return ignore, nil
}

// checkNewMessageID refuses a Message-ID already recorded. Checked before
// the ticket is created: on PostgreSQL a rolled-back nextval would still
// use up a ticket number. The insert of the thread id still catches a
// concurrent duplicate.
func (tx *Tx) checkNewMessageID(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	var n int
	if err := tx.GetContext(ctx, &n, tx.q(`SELECT COUNT(*) FROM thread_ids WHERE message_id = ?`), CanonicalID(id)); err != nil {
		return fmt.Errorf("store: record inbound: %w", err)
	}
	if n > 0 {
		return ErrDuplicate
	}
	return nil
}
