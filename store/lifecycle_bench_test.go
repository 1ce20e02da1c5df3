package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkLifecycleSweep times one lifecycle sweep over 20,000 tickets:
// "idle" when nothing is due (the usual five-minutely run; 2,000 tickets
// pending but not due), and "due" with 1,500 tickets to move (500 warnings
// and 500 resolutions, each with its mail, 300 closings, 200 wake-ups),
// put back before each run with the timer stopped. On both databases:
//
//	DARGO_TEST_POSTGRES_URL=postgres://… go test -run '^$' -bench LifecycleSweep -benchtime 5x ./store/
func BenchmarkLifecycleSweep(b *testing.B) {
	dialects := []string{store.SQLite}
	if os.Getenv("DARGO_TEST_POSTGRES_URL") != "" {
		dialects = append(dialects, store.Postgres)
	}
	for _, dialect := range dialects {
		b.Run(dialect, func(b *testing.B) {
			db := testdb.Open(b, dialect)
			ctx := context.Background()
			now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			db.Lifecycle = store.DefaultLifecycle()
			u, err := db.EnsureUser(ctx, "bench@example.com", "", "customer")
			if err != nil {
				b.Fatal(err)
			}
			const tickets = 20_000
			fill := `WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ?)
				INSERT INTO tickets (number, customer_id, subject, status, priority, category, flag, created_at, updated_at, last_activity_at, status_at)
				SELECT g + 1000000, ?, 'Bench', 'open', 'normal', 'general', '', ?, ?, ?, ? FROM s`
			exec(b, db, fill, tickets, u.ID, now.Add(-60*store.Day), now.Add(-60*store.Day), now.Add(-60*store.Day), now.Add(-60*store.Day))
			exec(b, db, `INSERT INTO participants (ticket_id, user_id, role, created_at) SELECT id, customer_id, 'customer', created_at FROM tickets`)
			var first int64
			if err := db.X.GetContext(ctx, &first, `SELECT MIN(id) FROM tickets`); err != nil {
				b.Fatal(err)
			}
			span := func(from, to int64) []any { return []any{first + from, first + to} }
			// Every group back to its due state; 2,000 pending not due yet.
			reset := func() {
				exec(b, db, `UPDATE tickets SET status = 'open', status_at = ?, autoclose_warned_at = NULL, snoozed_until = NULL WHERE id BETWEEN ? AND ?`,
					append([]any{now.Add(-60 * store.Day)}, span(0, 1999)...)...)
				exec(b, db, `UPDATE tickets SET status = 'pending', status_at = ? WHERE id BETWEEN ? AND ?`, append([]any{now.Add(-6 * store.Day)}, span(0, 499)...)...)
				exec(b, db, `UPDATE tickets SET status = 'pending', status_at = ?, autoclose_warned_at = ? WHERE id BETWEEN ? AND ?`,
					append([]any{now.Add(-8 * store.Day), now.Add(-3 * store.Day)}, span(1000, 1499)...)...)
				exec(b, db, `UPDATE tickets SET status = 'resolved', status_at = ? WHERE id BETWEEN ? AND ?`, append([]any{now.Add(-8 * store.Day)}, span(1500, 1799)...)...)
				exec(b, db, `UPDATE tickets SET snoozed_until = ? WHERE id BETWEEN ? AND ?`, append([]any{now.Add(-time.Minute)}, span(1800, 1999)...)...)
				exec(b, db, `UPDATE tickets SET status = 'pending', status_at = ? WHERE id BETWEEN ? AND ?`, append([]any{now.Add(-store.Day)}, span(500, 999)...)...)
				exec(b, db, `UPDATE tickets SET status = 'pending', status_at = ? WHERE id BETWEEN ? AND ?`, append([]any{now.Add(-store.Day)}, span(2000, 3499)...)...)
			}
			b.Run("idle", func(b *testing.B) {
				reset()
				if _, err := db.SweepLifecycle(ctx); err != nil { // moves everything due
					b.Fatal(err)
				}
				b.ResetTimer()
				for b.Loop() {
					s, err := db.SweepLifecycle(ctx)
					if err != nil || s.Total() != 0 {
						b.Fatalf("%+v, %v", s, err)
					}
				}
			})
			b.Run("due", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					reset()
					b.StartTimer()
					s, err := db.SweepLifecycle(ctx)
					if err != nil || s != (store.LifecycleSweep{Warned: 500, Resolved: 500, Closed: 300, Woken: 200}) {
						b.Fatalf("%+v, %v", s, err)
					}
				}
			})
		})
	}
}
