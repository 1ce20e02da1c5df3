package store_test

import (
	"context"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// A suggested address is personal data: erasing the person removes it, on
// every ticket it was suggested on.
func TestEraseRemovesCcSuggestions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, subject := range []string{"one", "two"} {
			d := newTicket(subject)
			d.Cc = []store.Person{{Email: "Eve@Example.net", Name: "Eve"}, {Email: "zed@example.net"}}
			deliver(t, db, d) // unverified: both become suggestions
		}
		if n := count(t, db, `SELECT COUNT(*) FROM cc_suggestions WHERE email = 'eve@example.net'`); n != 2 {
			t.Fatalf("suggestions of eve = %d, want 2", n)
		}
		eve, err := db.EnsureUser(ctx, "eve@example.net", "Eve", "customer")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Erase(ctx, eve.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM cc_suggestions WHERE email = 'eve@example.net'`); n != 0 {
			t.Errorf("%d suggestions of eve survive her erasure", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM cc_suggestions WHERE email = 'zed@example.net'`); n != 2 {
			t.Errorf("zed's suggestions = %d, want 2 (not erased)", n)
		}
	})
}

// An address erased with --block is never brought back by a Cc: not as a
// participant, not as a suggestion.
func TestBlockedAddressIsNeverSuggested(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		eve, err := db.EnsureUser(ctx, "eve@example.net", "Eve", "customer")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Erase(ctx, eve.ID, store.EraseOpts{Block: true}); err != nil {
			t.Fatal(err)
		}
		for _, auth := range []string{store.SenderUnverified, store.SenderVerified} {
			d := newTicket("hello " + auth)
			d.Message.SenderAuth = auth
			d.Cc = []store.Person{{Email: "eve@example.net"}}
			deliver(t, db, d)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM cc_suggestions`); n != 0 {
			t.Errorf("%d suggestions of a blocked address", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users WHERE email = 'eve@example.net'`); n != 0 {
			t.Errorf("the blocked address was recreated (%d)", n)
		}
	})
}
