package store_test

import (
	"context"
	"os"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkInboxSearch runs the first page of searches from the open queue
// on PostgreSQL over 20k seeded tickets with 200k messages — or, with
// DARGO_BENCH_INBOX_URL, a database `dargo seed` filled before (100k / 1M):
// a common word (in about 2 of every 13 messages, most tickets), a rare one
// (one message), a customer's address, several words (one rare, or two
// together in a seventh of the tickets), the open queue itself, and the
// queue counts.
func BenchmarkInboxSearch(b *testing.B) {
	ctx := context.Background()
	var db *store.DB
	if url := os.Getenv("DARGO_BENCH_INBOX_URL"); url != "" {
		var err error
		if db, err = store.Open(ctx, url); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
	} else {
		db = testdb.Open(b, store.Postgres)
		if err := db.Seed(ctx, store.SeedOpts{Tickets: 20_000, Messages: 200_000, Customers: 2_000, BigThread: 200}); err != nil {
			b.Fatal(err)
		}
	}
	var address string
	if err := db.X.Get(&address, `SELECT email FROM users WHERE name = 'Customer 42' LIMIT 1`); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, search string }{
		{"common word", "printer"},
		{"rare word", "123457"},
		{"address", address},
		{"several words", "printer invoice"},
		{"two words in a seventh", "printer rechnung"},
		{"common and rare", "problem 4242"},
		{"no search", ""},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for range b.N {
				p, err := db.Inbox(ctx, store.InboxQuery{Queue: store.QueueOpen, Search: bc.search})
				if err != nil || len(p.Rows) == 0 {
					b.Fatalf("%q: %d rows, %v", bc.search, len(p.Rows), err)
				}
			}
		})
	}
	b.Run("queue counts", func(b *testing.B) {
		for range b.N {
			if _, err := db.QueueCounts(ctx, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}
