package web

import (
	"net/url"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestStaleSideFormKeepsOthersChanges: a ticket page opened before another
// staff member resolved and took the ticket changes only what its user
// changed (the priority), not the status and assignee it still shows.
func TestStaleSideFormKeepsOthersChanges(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		a, _ := staffMember(t, srv, db, "a@support.example")
		b, bUser := staffMember(t, srv, db, "b@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Printer", "It burns."))
		n := itoa(got.TicketNumber)
		// A's page shows open, normal, general, nobody.
		stale := url.Values{"status": {"open"}, "priority": {"normal"}, "category": {"general"}, "assignee": {"none"},
			"old_status": {"open"}, "old_priority": {"normal"}, "old_category": {"general"}, "old_assignee": {"none"}}
		// Meanwhile B resolves the ticket and takes it.
		do(t, b, "POST", srv.URL+"/inbox/tickets/"+n+"/update", url.Values{"status": {"resolved"}, "assignee": {"me"}})
		// A raises the priority on the old page.
		stale.Set("priority", "high")
		if res, _ := do(t, a, "POST", srv.URL+"/inbox/tickets/"+n+"/update", stale); res.StatusCode != 303 {
			t.Fatalf("update: %s", res.Status)
		}
		tk := ticket(t, db, got.TicketNumber)
		if tk.Priority != "high" || tk.Status != "resolved" || tk.AssigneeID == nil || *tk.AssigneeID != bUser.ID {
			t.Errorf("ticket after a stale form: status %s priority %s assignee %v; want resolved, high, b", tk.Status, tk.Priority, tk.AssigneeID)
		}
	})
}
