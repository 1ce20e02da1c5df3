package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// addCustomers inserts n customers, cust000@list.test made first.
func addCustomers(t testing.TB, db *store.DB, n int) {
	t.Helper()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		at := start.Add(time.Duration(i) * time.Minute)
		exec(t, db, `INSERT INTO users (email, name, role, created_at, updated_at) VALUES (?, ?, 'customer', ?, ?)`,
			fmt.Sprintf("cust%03d@list.test", i), fmt.Sprintf("Person %03d", i), at, at)
	}
}

func TestCustomersListSearchAndPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := withClock(db)
		addCustomers(t, db, 300)
		exec(t, db, `INSERT INTO users (email, name, role, created_at, updated_at) VALUES ('agent@staff.test', 'Person Staff', 'staff', ?, ?)`, c.Now(), c.Now())
		exec(t, db, `INSERT INTO users (email, name, role, created_at, updated_at, erased_at) VALUES ('gone@list.test', 'Person Gone', 'customer', ?, ?, ?)`, c.Now(), c.Now(), c.Now())
		// Two tickets from Zoë, newest contact of all; one resolved.
		first := newTicket("first")
		first.From = store.Person{Email: "Zoe_100%@Mail.test", Name: "Zoë Brandt"}
		got := deliver(t, db, first)
		c.Add(time.Hour)
		second := newTicket("second")
		second.From = first.From
		deliver(t, db, second)
		exec(t, db, `UPDATE tickets SET status = 'resolved' WHERE id = ?`, got.TicketID)

		p1, err := db.Customers(ctx, "", 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(p1.Rows) != store.CustomersPerPage || !p1.More {
			t.Fatalf("page 1: %d rows, more %v", len(p1.Rows), p1.More)
		}
		zoe := p1.Rows[0]
		if zoe.Email != "zoe_100%@mail.test" || zoe.Tickets != 2 || zoe.OpenTickets != 1 || !zoe.LastContact.Equal(c.Now()) {
			t.Errorf("first row = %+v, want Zoë with 2 tickets, 1 open, last contact %v", zoe, c.Now())
		}
		if p1.Rows[1].Email != "cust299@list.test" || p1.Rows[1].Tickets != 0 {
			t.Errorf("second row = %+v, want the newest customer without tickets", p1.Rows[1])
		}
		seen := map[string]bool{}
		for page := 1; ; page++ {
			p, err := db.Customers(ctx, "", page)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Rows {
				if seen[r.Email] {
					t.Errorf("%s on two pages", r.Email)
				}
				seen[r.Email] = true
			}
			if !p.More {
				break
			}
		}
		if len(seen) != 301 || seen["agent@staff.test"] || seen["gone@list.test"] {
			t.Errorf("listed %d customers (staff %v, erased %v), want 301 and neither", len(seen), seen["agent@staff.test"], seen["gone@list.test"])
		}

		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"ZOË", []string{"zoe_100%@mail.test"}},
			{"mail.TEST", []string{"zoe_100%@mail.test"}},
			{"_100%", []string{"zoe_100%@mail.test"}}, // escaped: not "any character"
			{"%", []string{"zoe_100%@mail.test"}},
			{"person 12", []string{"cust129@list.test", "cust128@list.test", "cust127@list.test", "cust126@list.test", "cust125@list.test",
				"cust124@list.test", "cust123@list.test", "cust122@list.test", "cust121@list.test", "cust120@list.test"}},
			{"cust007@", []string{"cust007@list.test"}},
			{"staff", nil},
			{"gone", nil},
		} {
			p, err := db.Customers(ctx, tc.query, 1)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range p.Rows {
				got = append(got, r.Email)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("search %q = %v, want %v", tc.query, got, tc.want)
			}
		}
	})
}
