package store_test

import (
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestAutoResolvedMailAsksForARating: the scheduler's resolution goes out
// as the usual status mail, so it carries the customer's rating links like
// one a staff member sends.
func TestAutoResolvedMailAsksForARating(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newLifecycleDesk(t, db)
		t0 := *d.clock
		d.ask(t)
		d.at(t0.Add(5 * store.Day))
		d.sweep(t)
		d.at(t0.Add(7*store.Day + time.Minute))
		if s := d.sweep(t); s.Resolved != 1 {
			t.Fatalf("sweep %+v, want one resolved", s)
		}
		tk, err := db.Ticket(t.Context(), d.ticket.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if o := statusMailTo(t, db, tk.ID, tk.CustomerID); !o.Rate {
			t.Error("the auto-resolved ticket's status mail carries no rating links")
		}
	})
}
