package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SeedOpts sizes a generated data set for trying out and measuring the
// inbox: Tickets tickets among Customers customers, Messages messages in all,
// of which the first ticket gets BigThread.
type SeedOpts struct {
	Tickets   int
	Messages  int
	Customers int
	BigThread int
}

// Seed generates tickets, messages (staff write the outbound ones),
// customers and the status changes of resolved tickets with SQL alone (a recursive
// series), so a million rows take seconds, not a million round trips. Words
// come from a small vocabulary so that searches find something. It adds to
// what is there; ticket numbers continue after the highest.
func (db *DB) Seed(ctx context.Context, o SeedOpts) error {
	if o.Tickets < 2 || o.Messages < o.Tickets || o.Customers < 1 || o.BigThread > o.Messages-o.Tickets+1 {
		return fmt.Errorf("store: seed: want tickets ≥ 2, messages ≥ tickets, customers ≥ 1, big thread ≤ messages-tickets+1")
	}
	start := db.Now().Add(-time.Duration(o.Messages+o.Tickets) * time.Second).Truncate(time.Second)
	var base any = start
	if db.Dialect == SQLite {
		base = start.UTC().Format("2006-01-02 15:04:05") // what strftime reads
	}
	tag := fmt.Sprint(start.UnixNano())
	at := func(col string) string { // base + col seconds, in the dialect's stored form
		if db.Dialect == Postgres {
			return `(?::timestamptz + make_interval(secs => ` + col + `))`
		}
		return `(strftime('%Y-%m-%d %H:%M:%S', ?, '+' || (` + col + `) || ' seconds') || '+00:00')`
	}
	word := func(col string, n int) string {
		words := []string{"printer", "invoice", "password", "refund", "shipping", "login", "crash", "upgrade", "München", "café", "délai", "rechnung", "配送"}
		s := "CASE (" + col + ") % " + fmt.Sprint(n)
		for i := 0; i < n; i++ {
			s += fmt.Sprintf(" WHEN %d THEN '%s'", i, words[i%len(words)])
		}
		return s + " END"
	}
	later := `(t.created_at + make_interval(secs => 3600 + t.id % 604800))` // an hour to a week after t opened
	if db.Dialect == SQLite {
		later = `(strftime('%Y-%m-%d %H:%M:%S', t.created_at, '+' || (3600 + t.id % 604800) || ' seconds') || '+00:00')`
	}
	series := func(n string) string {
		return `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ` + n + `) `
	}
	steps := []struct {
		what  string
		query string
		args  []any
	}{
		{"customers", series("?") + `INSERT INTO users (email, name, role, created_at, updated_at)
			SELECT 'seed' || i || '-' || ? || '@customer.test', 'Customer ' || i, 'customer', ?, ? FROM s`,
			[]any{o.Customers, tag, start, start}},
		{"staff", `INSERT INTO users (email, name, role, created_at, updated_at) VALUES ('seed-agent-' || ? || '@staff.test', 'Agent', 'staff', ?, ?)`,
			[]any{tag, start, start}},
		{"tickets", series("?") + `INSERT INTO tickets (number, customer_id, assignee_id, subject, status, priority, category, channel, created_at, updated_at, last_activity_at, status_at)
			SELECT (SELECT COALESCE(MAX(number), 0) FROM tickets) + i,
				(SELECT MIN(id) FROM users WHERE email LIKE 'seed%-' || ? || '@customer.test') + (i % ?),
				CASE WHEN i % 3 = 0 THEN (SELECT id FROM users WHERE email = 'seed-agent-' || ? || '@staff.test') END,
				'Seeded ' || ` + word("i", 13) + ` || ' problem ' || i,
				CASE i % 4 WHEN 0 THEN 'open' WHEN 1 THEN 'pending' WHEN 2 THEN 'resolved' ELSE 'closed' END,
				CASE i % 5 WHEN 0 THEN 'high' WHEN 1 THEN 'low' WHEN 2 THEN 'urgent' ELSE 'normal' END,
				CASE i % 3 WHEN 0 THEN 'billing' WHEN 1 THEN 'sales' ELSE 'general' END, '` + ChannelMail + `',
				` + at("i") + `, ` + at("i") + `, ` + at(fmt.Sprint(o.Messages)+" + i") + `, ` + at("i") + ` FROM s`,
			[]any{o.Tickets, tag, o.Customers, tag, base, base, base, base}},
		{"participants", `INSERT INTO participants (ticket_id, user_id, role, created_at)
			SELECT id, customer_id, 'customer', created_at FROM tickets t WHERE subject LIKE 'Seeded %'
			AND NOT EXISTS (SELECT 1 FROM participants p WHERE p.ticket_id = t.id)`, nil},
		{"messages", series("?") + `, first(id) AS (SELECT MAX(id) - ? + 1 FROM tickets)
			INSERT INTO messages (ticket_id, author_id, kind, source, subject, text, visible_text, created_at)
			SELECT first.id + CASE WHEN i <= ? THEN 0 ELSE 1 + (i - ? - 1) % ? END,
				CASE WHEN i % 7 = 3 THEN (SELECT id FROM users WHERE email = 'seed-agent-' || ? || '@staff.test') ELSE t.customer_id END,
				CASE WHEN i % 7 = 3 THEN 'outbound' WHEN i % 11 = 5 THEN 'note' ELSE 'inbound' END, 'email', t.subject,
				'Message ' || i || ' about the ' || ` + word("i", 13) + ` || ' and the ' || ` + word("i / 13", 11) + `,
				'Message ' || i || ' about the ' || ` + word("i", 13) + ` || ' and the ' || ` + word("i / 13", 11) + `,
				` + at("i") + `
			FROM s CROSS JOIN first JOIN tickets t ON t.id = first.id + CASE WHEN i <= ? THEN 0 ELSE 1 + (i - ? - 1) % ? END`,
			[]any{o.Messages, o.Tickets, o.BigThread, o.BigThread, o.Tickets - 1, tag, base, o.BigThread, o.BigThread, o.Tickets - 1}},
		// Resolved and closed tickets got there by a recorded status
		// change, an hour to a week after they opened, which reports read.
		{"activity", `INSERT INTO activity (ticket_id, actor_id, kind, old_value, new_value, created_at)
			SELECT t.id, (SELECT id FROM users WHERE email = 'seed-agent-' || ? || '@staff.test'), 'status', 'open', t.status, ` + later + `
			FROM tickets t WHERE t.subject LIKE 'Seeded %' AND t.status IN ('resolved', 'closed')
			AND NOT EXISTS (SELECT 1 FROM activity a WHERE a.ticket_id = t.id)`, []any{tag}},
		{"rows", ticketRowsUpsert + `t.subject LIKE 'Seeded %'` + ticketRowsConflict, nil},
	}
	for _, st := range steps {
		if _, err := db.X.ExecContext(ctx, db.q(st.query), st.args...); err != nil {
			return fmt.Errorf("store: seed %s: %w", st.what, err)
		}
	}
	if db.Dialect == Postgres {
		if _, err := db.X.ExecContext(ctx, `SELECT setval('ticket_numbers', (SELECT MAX(number) FROM tickets))`); err != nil {
			return fmt.Errorf("store: seed: %w", err)
		}
		// VACUUM as well: it sets the visibility map, which index-only
		// scans need, as autovacuum would soon after on a real desk.
		// Measured right after seeding without it, plain inbox pages read
		// the heap of every ticket they counted.
		// Only this schema's tables: a bare VACUUM would go through every
		// schema of the database, `dargo bench`'s neighbours included.
		var tables []string
		if err := db.X.SelectContext(ctx, &tables, `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()`); err != nil {
			return fmt.Errorf("store: seed: %w", err)
		}
		if _, err := db.X.ExecContext(ctx, `VACUUM ANALYZE `+strings.Join(tables, ", ")); err != nil {
			return fmt.Errorf("store: seed: %w", err)
		}
	}
	return nil
}
