package testdb

import (
	"context"
	"testing"

	"github.com/dargo-support/dargo/store"
)

func TestEachGivesIsolatedMigratedDatabases(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		var n int
		if err := db.X.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM tickets`); err != nil {
			t.Fatalf("tickets table missing: %v", err)
		}
		if n != 0 {
			t.Fatalf("fresh database has %d tickets", n)
		}
	})
}
