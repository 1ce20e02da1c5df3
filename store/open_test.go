package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestOpenRejectsBadURLs(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{"empty", "", "unsupported database URL"},
		{"mysql", "mysql://root@localhost/dargo", "unsupported database URL"},
		{"bare path", "data/dargo.db", "unsupported database URL"},
		{"sqlite without path", "sqlite:", "sqlite URL needs a path"},
		{"sqlite slashes without path", "sqlite://", "sqlite URL needs a path"},
		{"postgres nobody listens", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", "store: connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := store.Open(context.Background(), tt.url)
			if err == nil {
				db.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.url)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q) = %v, want it to mention %q", tt.url, err, tt.want)
			}
		})
	}
}

func TestOpenSQLiteCreatesTheFolder(t *testing.T) {
	for _, prefix := range []string{"sqlite:", "sqlite://"} {
		t.Run(prefix, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a", "b", "dargo.db")
			db, err := store.Open(context.Background(), prefix+path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if db.Dialect != store.SQLite {
				t.Errorf("dialect = %q, want sqlite", db.Dialect)
			}
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("database file: %v", err)
			}
		})
	}
}

func TestOpenSQLiteSetsWALAndBusyTimeout(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	ctx := context.Background()
	// Every pooled connection gets the pragmas, so ask on several at once.
	conns := make([]interface{ Close() error }, 0, 4)
	for range 4 {
		c, err := db.X.Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		tests := []struct {
			pragma, want string
		}{
			{"journal_mode", "wal"},
			{"busy_timeout", "10000"},
			{"foreign_keys", "1"},
		}
		for _, tt := range tests {
			var got string
			if err := c.GetContext(ctx, &got, "PRAGMA "+tt.pragma); err != nil {
				t.Fatalf("PRAGMA %s: %v", tt.pragma, err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
			}
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

// Several processes (web, inbound, worker) share one SQLite file.
func TestOpenTwoSQLiteHandlesOnOneFileBothWrite(t *testing.T) {
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "shared.db")
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		dbs[i] = db
	}
	const each = 10
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for _, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				_, err := db.RecordInbound(ctx, newTicket("shared file"))
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("deliver: %v", err)
		}
	}
	for i, db := range dbs {
		if n := count(t, db, `SELECT COUNT(DISTINCT number) FROM tickets`); n != 2*each {
			t.Errorf("handle %d sees %d distinct ticket numbers, want %d", i, n, 2*each)
		}
	}
}
