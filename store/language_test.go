package store_test

import (
	"context"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// The first mail that tells a language sets the person's; later mail in
// another language leaves it, and only SetLanguage changes it.
func TestDeliverRecordsTheFirstLanguage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		lang := func(want string) {
			t.Helper()
			u, err := db.UserByEmail(ctx, "alice@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if u.Language != want {
				t.Errorf("language = %q, want %q", u.Language, want)
			}
		}
		d := newTicket("Drucker kaputt")
		d.Language = "de"
		got := deliver(t, db, d)
		lang("de")

		r := reply(got.TicketID, "alice@example.com")
		r.Language = "fr"
		deliver(t, db, r)
		lang("de")

		n := newTicket("Another")
		n.Language = "es"
		deliver(t, db, n)
		lang("de")

		u, _ := db.UserByEmail(ctx, "alice@example.com")
		if err := db.SetLanguage(ctx, u.ID, "es"); err != nil {
			t.Fatal(err)
		}
		lang("es")
		deliver(t, db, reply(got.TicketID, "alice@example.com")) // no language: nothing changes
		lang("es")
		wantNotFound(t, "SetLanguage of nobody", db.SetLanguage(ctx, u.ID+1000, "fr"))

		// A person whose first mail told none gets the first that does.
		b := newTicket("hi")
		b.From = store.Person{Email: "bob@example.com"}
		deliver(t, db, b)
		b2 := newTicket("salut")
		b2.From, b2.Language = store.Person{Email: "bob@example.com"}, "fr"
		deliver(t, db, b2)
		if bob, err := db.UserByEmail(ctx, "bob@example.com"); err != nil || bob.Language != "fr" {
			t.Errorf("bob = %+v, %v; want language fr", bob, err)
		}
	})
}
