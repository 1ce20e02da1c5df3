package store_test

import (
	"context"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkInboxSearch runs the first page of searches from the open queue
// on PostgreSQL over 20k seeded tickets with 200k messages: a common word
// (in about 2 of every 13 messages, most tickets), a rare one (one
// message), a customer's address, several words, and the open queue itself.
func BenchmarkInboxSearch(b *testing.B) {
	ctx := context.Background()
	db := testdb.Open(b, store.Postgres)
	if err := db.Seed(ctx, store.SeedOpts{Tickets: 20_000, Messages: 200_000, Customers: 2_000, BigThread: 200}); err != nil {
		b.Fatal(err)
	}
	var address string
	if err := db.X.Get(&address, `SELECT email FROM users WHERE name = 'Customer 42'`); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, search string }{
		{"common word", "printer"},
		{"rare word", "123457"},
		{"address", address},
		{"several words", "printer invoice"},
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
}
