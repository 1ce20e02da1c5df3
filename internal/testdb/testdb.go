// Package testdb gives tests a fresh, migrated database of each dialect.
//
// SQLite always runs, in t.TempDir. PostgreSQL runs when
// DARGO_TEST_POSTGRES_URL is set, each test in a schema of its own that is
// dropped afterwards; when DARGO_TEST_REQUIRE_SERVICES=1 (as in CI) a missing
// or unreachable PostgreSQL fails the test instead of skipping it.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/dargo-support/dargo/internal/sqlcount"
	"github.com/dargo-support/dargo/store"
)

// Each runs fn once per available dialect, as subtests "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			fn(t, Open(t, dialect))
		})
	}
}

// Open returns a fresh migrated database of the dialect, closed at cleanup.
func Open(t testing.TB, dialect string) *store.DB {
	t.Helper()
	var u string
	if dialect == store.SQLite {
		u = "sqlite:" + filepath.Join(t.TempDir(), "dargo.db")
	} else {
		u = PostgresURL(t)
	}
	return openURL(t, dialect, u)
}

func openURL(t testing.TB, dialect, u string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, u)
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", dialect, err)
	}
	return db
}

// OpenCounted is Open whose pool counts its round trips (internal/sqlcount).
func OpenCounted(t testing.TB, dialect string) (*store.DB, *sqlcount.Counter) {
	t.Helper()
	u := "sqlite:" + filepath.Join(t.TempDir(), "dargo.db")
	if dialect == store.Postgres {
		u = PostgresURL(t)
	}
	db := openURL(t, dialect, u)
	driver, dsn, _, err := store.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	x, c, err := sqlcount.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.X.Close()
	db.X = x
	t.Cleanup(func() { x.Close() })
	return db, c
}

// PostgresURL creates a schema of its own for the test and returns a URL
// whose search_path points at it; the schema is dropped at cleanup.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("DARGO_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("DARGO_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("DARGO_TEST_POSTGRES_URL is not set but DARGO_TEST_REQUIRE_SERVICES=1")
		}
		t.Skip("PostgreSQL not configured (set DARGO_TEST_POSTGRES_URL)")
	}
	admin, err := store.Open(context.Background(), base)
	if err != nil {
		t.Fatalf("PostgreSQL at DARGO_TEST_POSTGRES_URL: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := admin.X.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := store.Open(context.Background(), base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.X.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	p, err := url.Parse(base)
	if err != nil {
		t.Fatalf("DARGO_TEST_POSTGRES_URL: %v", err)
	}
	q := p.Query()
	q.Set("search_path", schema)
	p.RawQuery = q.Encode()
	return p.String()
}
