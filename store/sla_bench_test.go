package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkSLABreachSweep times one run of the minutely breach sweep over
// 100k tickets with SLA rows, nearly all of them past their dues but met
// or told of already: "idle" finds nothing new (the steady state), "100new"
// finds and tells of 100 fresh first-response breaches of unassigned
// tickets (three staff each, so 300 notices).
//
//	go test -run '^$' -bench SLABreachSweep -benchtime 20x ./store/
func BenchmarkSLABreachSweep(b *testing.B) {
	const tickets, fresh = 100_000, 100
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			db := testdb.Open(b, dialect)
			db.NoticeWait = 0
			if err := db.Seed(ctx, store.SeedOpts{Tickets: tickets, Messages: tickets, Customers: 1000}); err != nil {
				b.Fatal(err)
			}
			for _, addr := range []string{"a@desk.test", "b@desk.test", "c@desk.test"} {
				if _, err := db.EnsureUser(ctx, addr, "", "staff"); err != nil {
					b.Fatal(err)
				}
			}
			now := time.Now().UTC()
			db.Now = func() time.Time { return now }
			// Every row is due an hour ago; all but the last `fresh` open
			// tickets were answered in time or told of already.
			exec(b, db, `INSERT INTO ticket_sla (ticket_id, first_response_due, first_response_at, resolution_due, resolved_at,
				first_response_notified, resolution_notified, updated_at)
				SELECT id, ?, ?, ?, ?, id % 50 = 0, FALSE, ? FROM tickets`,
				now.Add(-time.Hour), now.Add(-2*time.Hour), now.Add(time.Hour), now.Add(-time.Hour), now)
			exec(b, db, `UPDATE ticket_sla SET first_response_at = NULL WHERE ticket_id % 50 = 0`)
			exec(b, db, `UPDATE tickets SET status = 'open', assignee_id = NULL WHERE id IN (SELECT id FROM tickets ORDER BY id DESC LIMIT ?)`, fresh)
			exec(b, db, `UPDATE ticket_sla SET first_response_at = NULL, first_response_notified = FALSE, resolved_at = NULL, resolution_due = ?
				WHERE ticket_id IN (SELECT id FROM tickets ORDER BY id DESC LIMIT ?)`, now.Add(time.Hour), fresh)
			rearm := func() {
				exec(b, db, `UPDATE ticket_sla SET first_response_notified = FALSE WHERE ticket_id IN (SELECT id FROM tickets ORDER BY id DESC LIMIT ?)`, fresh)
			}
			b.Run("100new", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					rearm()
					b.StartTimer()
					n, err := db.TellSLABreaches(ctx)
					if err != nil || n != fresh {
						b.Fatalf("told %d, %v; want %d", n, err, fresh)
					}
				}
			})
			b.Run("idle", func(b *testing.B) {
				for b.Loop() {
					if n, err := db.TellSLABreaches(ctx); err != nil || n != 0 {
						b.Fatalf("told %d, %v", n, err)
					}
				}
			})
		})
	}
}
