package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestPortalTicketsAreRateLimited: one account opens at most ticketsPerHour
// tickets an hour from the portal.
func TestPortalTicketsAreRateLimited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		form := url.Values{"subject": {"Help"}, "description": {"Please"}, "priority": {"normal"}, "category": {"general"}}
		for i := range ticketsPerHour {
			if res, _ := do(t, ada, "POST", srv.URL+"/tickets", form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("ticket %d: %s", i+1, res.Status)
			}
		}
		res, body := do(t, ada, "POST", srv.URL+"/tickets", form)
		if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "many tickets") || !strings.Contains(body, "Please") {
			t.Errorf("ticket %d: %s", ticketsPerHour+1, res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets`); n != ticketsPerHour {
			t.Errorf("tickets = %d, want %d", n, ticketsPerHour)
		}
	})
}
