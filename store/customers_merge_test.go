package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func userID(t testing.TB, db *store.DB, email string) int64 {
	t.Helper()
	var id int64
	if err := db.X.GetContext(context.Background(), &id, db.X.Rebind(`SELECT id FROM users WHERE email = ?`), email); err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return id
}

func TestMergeCustomers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		withClock(db)
		home := deliver(t, db, newTicket("printer on fire")) // alice@example.com
		work := newTicket("invoice")
		work.From = store.Person{Email: "a.smith@corp.test", Name: "A. Smith"}
		workTicket := deliver(t, db, work)
		deliver(t, db, reply(home.TicketID, "a.smith@corp.test")) // a reply from work to the home ticket
		keep, merge := userID(t, db, "alice@example.com"), userID(t, db, "a.smith@corp.test")
		staff, err := db.SetRole(ctx, "agent@staff.test", "staff")
		if err != nil {
			t.Fatal(err)
		}
		requestLogin(t, db, "a.smith@corp.test", "before")
		if _, err := confirm(db, "before", "work-session"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetChoice(ctx, merge, store.ChoiceMail, true, 0, "account"); err != nil {
			t.Fatal(err)
		}

		m, err := db.MergeCustomers(ctx, keep, merge, staff.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Address != "a.smith@corp.test" || m.Tickets != 1 || m.Participations != 1 || m.Messages != 2 || m.Sessions != 1 {
			t.Errorf("merged = %+v, want 1 ticket, 1 participation, 2 messages, 1 session", m)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets WHERE customer_id = ?`, keep); n != 2 {
			t.Errorf("kept person's tickets = %d, want 2", n)
		}
		for _, table := range []string{"participants", "sessions", "logins", "user_choices", "login_tokens"} {
			if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE user_id = ?`, merge); n != 0 {
				t.Errorf("%s left on the merged record: %d", table, n)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM participants WHERE ticket_id = ? AND user_id = ? AND role = 'customer'`, workTicket.TicketID, keep); n != 1 {
			t.Errorf("kept person is not the customer of the work ticket")
		}
		if objects, err := db.Objects(ctx, keep, store.ChoiceMail); err != nil || !objects {
			t.Errorf("objection to mail after merge = %v, %v; want it kept", objects, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ? AND user_id = ?`, store.AuditCustomerMerge, staff.ID, keep); n != 1 {
			t.Errorf("audit entries = %d, want 1", n)
		}

		// Mail from either address is theirs.
		again := newTicket("again")
		again.From = store.Person{Email: "A.Smith@corp.test"}
		got := deliver(t, db, again)
		if n := count(t, db, `SELECT COUNT(*) FROM tickets WHERE id = ? AND customer_id = ?`, got.TicketID, keep); n != 1 {
			t.Errorf("new mail from the merged address did not open a ticket for the kept person")
		}
		deliver(t, db, reply(home.TicketID, "a.smith@corp.test"))
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE author_id = ?`, merge); n != 0 {
			t.Errorf("messages by the merged record: %d", n)
		}
		if u, err := db.UserByEmail(ctx, "a.smith@corp.test"); err != nil || u.ID != keep {
			t.Errorf("UserByEmail(merged address) = %+v, %v; want the kept person", u, err)
		}

		// Signing in with either address reaches the same account.
		for i, addr := range []string{"alice@example.com", "a.smith@corp.test"} {
			tok := []string{"t1", "t2"}[i]
			requestLogin(t, db, addr, tok)
			in, err := confirm(db, tok, "s-"+tok)
			if err != nil {
				t.Fatal(err)
			}
			if in.User.ID != keep {
				t.Errorf("sign-in with %s reached user %d, want %d", addr, in.User.ID, keep)
			}
		}

		// The export has both addresses and every ticket.
		e, err := db.Export(ctx, "a.smith@corp.test", replyTo)
		if err != nil {
			t.Fatal(err)
		}
		if e.User.Email != "alice@example.com" || !slices.Equal(e.User.Addresses, []string{"a.smith@corp.test"}) || len(e.Tickets) != 3 {
			t.Errorf("export: user %+v, %d tickets; want both addresses and 3 tickets", e.User, len(e.Tickets))
		}

		// The list shows one person with two addresses, found by either.
		for _, q := range []string{"corp.test", "alice"} {
			p, err := db.Customers(ctx, q, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Rows) != 1 || p.Rows[0].ID != keep || p.Rows[0].Tickets != 3 || !slices.Equal(p.Rows[0].Addresses, []string{"a.smith@corp.test"}) {
				t.Errorf("customers %q = %+v", q, p.Rows)
			}
		}

		// Erasing the person (by either record) erases both.
		if _, err := db.Erase(ctx, merge, store.EraseOpts{ActorID: staff.ID}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users WHERE id IN (?, ?) AND erased_at IS NOT NULL`, keep, merge); n != 2 {
			t.Errorf("erased records = %d, want 2", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users WHERE email IN ('alice@example.com', 'a.smith@corp.test')`); n != 0 {
			t.Errorf("addresses left after erasure: %d", n)
		}
	})
}

func TestMergeCustomersRefuses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		withClock(db)
		deliver(t, db, newTicket("one"))
		for _, addr := range []string{"b@example.com", "c@example.com", "d@example.com"} {
			d := newTicket("x")
			d.From = store.Person{Email: addr}
			deliver(t, db, d)
		}
		a, b, c, d := userID(t, db, "alice@example.com"), userID(t, db, "b@example.com"), userID(t, db, "c@example.com"), userID(t, db, "d@example.com")
		staff, err := db.SetRole(ctx, "agent@staff.test", "staff")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Erase(ctx, c, store.EraseOpts{ActorID: staff.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MergeCustomers(ctx, a, d, staff.ID); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name        string
			keep, merge int64
		}{
			{"itself", a, a},
			{"staff", a, staff.ID},
			{"into staff", staff.ID, b},
			{"erased", a, c},
			{"already merged", b, d},
			{"into a merged record", d, b},
		} {
			if _, err := db.MergeCustomers(ctx, tc.keep, tc.merge, staff.ID); !errors.Is(err, store.ErrInvalidChange) {
				t.Errorf("%s: err = %v, want ErrInvalidChange", tc.name, err)
			}
		}
		if _, err := db.MergeCustomers(ctx, a, 999999, staff.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown user: err = %v, want ErrNotFound", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users WHERE merged_into IS NOT NULL`); n != 1 {
			t.Errorf("merged records = %d, want 1", n)
		}
	})
}
