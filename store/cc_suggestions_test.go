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
