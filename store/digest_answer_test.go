package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestQueueDigestAnswerNotice: an answer to a digest tells its staff
// member once an hour at most, and never a customer or an erased person.
func TestQueueDigestAnswerNotice(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		mia := namedStaff(t, db, miaAddr, "Mia Wong")
		bob := namedStaff(t, db, bobAddr, "Bob Stone")
		rows := func(u *store.User) []store.Email {
			t.Helper()
			var out []store.Email
			if err := db.X.SelectContext(ctx, &out, db.X.Rebind(`SELECT * FROM emails WHERE user_id = ? AND kind = ? ORDER BY id`), u.ID, store.EmailStaffUnrecorded); err != nil {
				t.Fatal(err)
			}
			return out
		}
		queue := func(u *store.User, want bool) {
			t.Helper()
			ok, err := db.QueueDigestAnswerNotice(ctx, u.ID, "Re: News on 3 tickets")
			if err != nil || ok != want {
				t.Errorf("queue for %s: %v, %v; want %v", u.Email, ok, err, want)
			}
		}

		queue(mia, true)
		got := rows(mia)
		if len(got) != 1 || got[0].ToEmail != miaAddr || got[0].Subject != "Re: News on 3 tickets" || got[0].Status != store.EmailQueued || !got[0].Auto {
			t.Fatalf("notice rows: %+v", got)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE email_id = ?`, got[0].ID); n != 1 {
			t.Errorf("%d outbox rows for the notice", n)
		}
		// A loop of answers within the hour adds nothing; another staff
		// member is told on their own.
		now = now.Add(59 * time.Minute)
		queue(mia, false)
		queue(bob, true)
		if n := len(rows(mia)); n != 1 {
			t.Errorf("%d notices to mia within the hour, want 1", n)
		}
		now = now.Add(2 * time.Minute)
		queue(mia, true)
		if n := len(rows(mia)); n != 2 {
			t.Errorf("%d notices to mia after the hour, want 2", n)
		}

		// Customers and the erased get none.
		deliver(t, db, newTicket("Printer on fire"))
		alice, err := db.UserByEmail(ctx, "alice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		queue(alice, false)
		if n := len(rows(alice)); n != 0 {
			t.Errorf("a customer got %d notices", n)
		}
		if _, err := db.SetRole(ctx, bobAddr, store.RoleCustomer); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Erase(ctx, bob.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(2 * time.Hour)
		queue(bob, false)
		if _, err := db.QueueDigestAnswerNotice(ctx, 999999, "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("nobody: %v, want ErrNotFound", err)
		}
	})
}
