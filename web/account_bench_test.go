package web

import (
	"net/http"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkAccountPage renders a customer's /account in process, on
// PostgreSQL: the queries every signed-in page makes (session, banner, usage
// event) and the account page's own (profile with -cpuprofile).
func BenchmarkAccountPage(b *testing.B) {
	db := testdb.Open(b, store.Postgres)
	h, secret := benchDesk(b, db, "ada@example.com",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
	b.ResetTimer()
	for range b.N {
		w := benchGet(h, "/account", secret)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
