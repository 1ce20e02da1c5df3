package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestDigestAcrossTickets: news about many tickets at once does not become
// a mail per ticket. After DigestAfter notices within the window, further
// tickets' news waits in one digest per staff member.
func TestDigestAcrossTickets(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mia, err := db.EnsureUser(ctx, "mia@desk.example", "Mia", "staff")
		if err != nil {
			t.Fatal(err)
		}
		const tickets = 8
		for i := range tickets {
			deliver(t, db, newTicket(fmt.Sprintf("Burst %d", i)))
		}
		notices := count(t, db, `SELECT COUNT(*) FROM emails WHERE user_id = ? AND kind = ?`, mia.ID, store.EmailStaffNotice)
		if notices != store.DigestAfter {
			t.Errorf("%d tickets made %d notices to mia, want %d (the rest in a digest)", tickets, notices, store.DigestAfter)
		}
		digests := count(t, db, `SELECT COUNT(*) FROM emails WHERE user_id = ? AND kind = ?`, mia.ID, store.EmailStaffDigest)
		if digests != 1 {
			t.Fatalf("digests to mia = %d, want 1", digests)
		}
		var digest int64
		if err := db.X.GetContext(ctx, &digest, db.X.Rebind(`SELECT id FROM emails WHERE user_id = ? AND kind = ?`), mia.ID, store.EmailStaffDigest); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staff_events WHERE email_id = ?`, digest); n != tickets-store.DigestAfter {
			t.Errorf("digest holds %d events, want %d", n, tickets-store.DigestAfter)
		}
		o, err := db.Outgoing(ctx, digest)
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.StaffNotice(ctx, o)
		if err != nil {
			t.Fatalf("StaffNotice(digest): %v", err)
		}
		seen := map[int64]bool{}
		for _, it := range n.Items {
			if it.Ticket == nil || it.Message == nil {
				t.Fatalf("digest item %+v lacks its ticket or message", it.StaffEvent)
			}
			seen[it.Ticket.ID] = true
		}
		if len(seen) != tickets-store.DigestAfter {
			t.Errorf("digest names %d tickets, want %d", len(seen), tickets-store.DigestAfter)
		}
		// Once the window has passed, news gets a notice of its own again.
		now := db.Now().Add(store.DefaultNoticeWait + time.Second)
		db.Now = func() time.Time { return now }
		deliver(t, db, newTicket("After the burst"))
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE user_id = ? AND kind = ?`, mia.ID, store.EmailStaffNotice); n != store.DigestAfter+1 {
			t.Errorf("after the window: %d notices, want %d", n, store.DigestAfter+1)
		}
	})
}
