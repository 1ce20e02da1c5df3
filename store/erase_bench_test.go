package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkErase1000Tickets erases a customer with 1,000 tickets and 10,000
// messages (half theirs, half staff's answers that name them) on
// PostgreSQL, and reports the seconds one erasure takes.
func BenchmarkErase1000Tickets(b *testing.B) {
	if os.Getenv("DARGO_TEST_POSTGRES_URL") == "" {
		b.Skip("PostgreSQL not configured (set DARGO_TEST_POSTGRES_URL)")
	}
	ctx := context.Background()
	var total time.Duration
	for range b.N {
		b.StopTimer()
		db := testdb.Open(b, store.Postgres)
		if err := db.Seed(ctx, store.SeedOpts{Tickets: 1000, Messages: 10000, Customers: 1, BigThread: 200}); err != nil {
			b.Fatal(err)
		}
		var id int64
		if err := db.X.Get(&id, `SELECT id FROM users WHERE role = 'customer'`); err != nil {
			b.Fatal(err)
		}
		// Staff's half of the thread: answers that greet the customer by name.
		if _, err := db.X.Exec(`UPDATE messages SET author_id = (SELECT id FROM users WHERE role = 'staff' LIMIT 1),
			text = 'Hello Customer 1, thanks for writing', visible_text = 'Hello Customer 1, thanks for writing' WHERE id % 2 = 0`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := db.Erase(ctx, id, store.EraseOpts{})
		total += time.Since(start)
		if err != nil || res.Tickets != 1000 {
			b.Fatalf("erase: %+v, %v", res, err)
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/erasure")
}
