package web

import (
	"context"
	"net/http"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkCustomersPage serves /inbox/customers in process with 10,000
// customers and 30,000 tickets, on both databases: the first page, a later
// page, and a search by part of a name.
func BenchmarkCustomersPage(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			db := testdb.Open(b, dialect)
			if err := db.Seed(ctx, store.SeedOpts{Tickets: 30000, Messages: 30000, Customers: 10000}); err != nil {
				b.Fatal(err)
			}
			if _, err := db.SetRole(ctx, "agent@example.com", "staff"); err != nil {
				b.Fatal(err)
			}
			h, secret := benchDesk(b, db, "agent@example.com", "")
			for _, tc := range []struct{ name, path string }{{"first", "/inbox/customers"}, {"page100", "/inbox/customers?page=100"}, {"search", "/inbox/customers?q=customer+42"}} {
				b.Run(tc.name, func(b *testing.B) {
					for range b.N {
						if w := benchGet(h, tc.path, secret); w.Code != http.StatusOK {
							b.Fatalf("status %d", w.Code)
						}
					}
				})
			}
		})
	}
}
