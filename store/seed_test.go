package store_test

import (
	"context"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestSeed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		deliver(t, db, newTicket("Real ticket"))
		if err := db.Seed(ctx, store.SeedOpts{Tickets: 50, Messages: 400, Customers: 7, BigThread: 120}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets`); n != 51 {
			t.Errorf("tickets = %d, want 51", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages`); n != 401 {
			t.Errorf("messages = %d, want 401", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM participants`); n != 51 {
			t.Errorf("participants = %d", n)
		}
		if n := count(t, db, `SELECT MAX(c) FROM (SELECT COUNT(*) AS c FROM messages GROUP BY ticket_id) x`); n != 120 {
			t.Errorf("biggest thread = %d, want 120", n)
		}
		if n := count(t, db, `SELECT COUNT(DISTINCT number) FROM tickets`); n != 51 {
			t.Errorf("ticket numbers not unique: %d", n)
		}
		// Every ticket knows since when it has its status, or it would never auto-close.
		if n := count(t, db, `SELECT COUNT(*) FROM tickets WHERE status_at IS NULL`); n != 0 {
			t.Errorf("%d tickets without status_at", n)
		}
		// Resolved and closed tickets have their status change recorded, for reports.
		if n := count(t, db, `SELECT COUNT(*) FROM activity WHERE kind = 'status' AND new_value IN ('resolved', 'closed')`); n != 25 {
			t.Errorf("status changes = %d, want 25", n)
		}
		// The generated rows read back through the store like real ones.
		page, err := db.Inbox(ctx, store.InboxQuery{Queue: store.QueueAll, Limit: 10})
		if err != nil || len(page.Rows) != 10 || page.Next == nil {
			t.Fatalf("inbox over seeded rows: %v", err)
		}
		if !page.Rows[0].LastActivityAt.After(page.Rows[9].LastActivityAt) {
			t.Errorf("seeded activity times not ordered: %v .. %v", page.Rows[0].LastActivityAt, page.Rows[9].LastActivityAt)
		}
		found, err := db.Inbox(ctx, store.InboxQuery{Queue: store.QueueAll, Search: "printer"})
		if err != nil || len(found.Rows) == 0 {
			t.Errorf("search over seeded rows: %d, %v", len(found.Rows), err)
		}
		// A real mail still gets the next number.
		got := deliver(t, db, newTicket("After the seed"))
		if got.TicketNumber != 52 {
			t.Errorf("next ticket number = %d, want 52", got.TicketNumber)
		}
	})
}
