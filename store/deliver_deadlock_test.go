package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestDeliverCrossCcNeverFails: two known customers who cc each other in
// mails processed at the same instant lock their user rows in opposite
// orders; a PostgreSQL deadlock must be retried, never surface.
func TestDeliverCrossCcNeverFails(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		alice := store.Person{Email: "alice@example.com", Name: "Alice"}
		bob := store.Person{Email: "bob@example.com", Name: "Bob"}
		for _, p := range []store.Person{alice, bob} {
			if _, err := db.EnsureUser(ctx, p.Email, p.Name, "customer"); err != nil {
				t.Fatal(err)
			}
		}
		for round := range 30 {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, pair := range [][2]store.Person{{alice, bob}, {bob, alice}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = db.RecordInbound(ctx, &store.Incoming{From: pair[0], Cc: []store.Person{pair[1]}, Subject: "Shared",
						Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: fmt.Sprintf("x%d-%d@example.com", round, i), Text: "hi",
							SenderAuth: store.SenderVerified}})
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
		}
	})
}
