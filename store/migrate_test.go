package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestMigrateIsIdempotent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		// testdb already migrated once.
		before := count(t, db, `SELECT COUNT(*) FROM schema_migrations`)
		if before == 0 {
			t.Fatal("no migrations recorded after the first run")
		}
		for run := 2; run <= 3; run++ {
			n, err := db.Migrate(context.Background())
			if err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
			if n != 0 {
				t.Errorf("run %d applied %d migrations, want 0", run, n)
			}
		}
		if after := count(t, db, `SELECT COUNT(*) FROM schema_migrations`); after != before {
			t.Errorf("schema_migrations has %d rows, had %d", after, before)
		}
	})
}

// Two releases migrating the same database at once both succeed, and each
// migration is applied once.
func TestMigrateConcurrently(t *testing.T) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			url := freshURL(t, dialect)
			const runs = 2
			var dbs [runs]*store.DB
			for i := range dbs {
				db, err := store.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs[i] = db
			}
			applied := make([]int, runs)
			errs := make([]error, runs)
			var wg sync.WaitGroup
			for i := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					applied[i], errs[i] = dbs[i].Migrate(ctx)
				}()
			}
			wg.Wait()
			total := 0
			for i := range runs {
				if errs[i] != nil {
					t.Errorf("migrate %d: %v", i, errs[i])
				}
				total += applied[i]
			}
			recorded := count(t, dbs[0], `SELECT COUNT(*) FROM schema_migrations`)
			if total != recorded {
				t.Errorf("runs applied %v migrations in all, schema_migrations has %d", applied, recorded)
			}
			if n := count(t, dbs[0], `SELECT COUNT(*) FROM tickets`); n != 0 {
				t.Errorf("tickets = %d", n)
			}
		})
	}
}

// freshURL returns the URL of an empty, unmigrated database of the dialect.
func freshURL(t *testing.T, dialect string) string {
	if dialect == store.SQLite {
		return "sqlite:" + t.TempDir() + "/fresh.db"
	}
	return testdb.PostgresURL(t)
}
