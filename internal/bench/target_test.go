package bench

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestBenchTargetCheck: the bench writes only into the database it made
// for itself, still empty. A connection that lands elsewhere (the URL's
// search_path dropped by a pooler; another SQLite file) or a database that
// already holds tables is refused before anything is written, and the
// bench's own schema or file is still removed.
func TestBenchTargetCheck(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, dialect string
		// spoil turns the bench's target into what a failure gives;
		// configured is the desk's database URL.
		spoil func(t *testing.T, tg *target, configured string)
		want  string // in the error; "" to accept
	}{
		{"fresh schema", store.Postgres, func(*testing.T, *target, string) {}, ""},
		{"search_path dropped", store.Postgres, func(t *testing.T, tg *target, configured string) {
			// What PgBouncer with ignore_startup_parameters=search_path
			// gives: the connection stays in the desk's schema.
			tg.url = configured
		}, "current schema is"},
		{"schema not empty", store.Postgres, func(t *testing.T, tg *target, _ string) {
			exec(t, tg.url, `CREATE TABLE tickets (id BIGINT)`)
		}, "already holds 1 tables"},
		{"fresh file", store.SQLite, func(*testing.T, *target, string) {}, ""},
		{"another file", store.SQLite, func(t *testing.T, tg *target, configured string) {
			tg.url = configured
		}, "not the file the bench made"},
		{"file not empty", store.SQLite, func(t *testing.T, tg *target, _ string) {
			exec(t, tg.url, `CREATE TABLE tickets (id INTEGER)`)
		}, "already holds 1 tables"},
	}
	for _, c := range cases {
		t.Run(c.dialect+"/"+c.name, func(t *testing.T) {
			configured := "sqlite:" + filepath.Join(t.TempDir(), "desk.db")
			if c.dialect == store.Postgres {
				configured = testdb.PostgresURL(t)
			}
			exec(t, configured, `CREATE TABLE desk_data (id INTEGER)`)
			tg, err := openTarget(ctx, configured)
			if err != nil {
				t.Fatal(err)
			}
			spoiled := *tg
			c.spoil(t, &spoiled, configured)
			db, err := openStore(ctx, &spoiled)
			if err == nil {
				if _, err := db.Migrate(ctx); err != nil {
					t.Error(err)
				}
				db.Close()
			}
			switch {
			case c.want == "" && err != nil:
				t.Errorf("openStore: %v; want the fresh target accepted", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), "refusing to run") || !strings.Contains(err.Error(), c.want)):
				t.Errorf("openStore: %v; want a refusal saying %q", err, c.want)
			}
			if got := tables(t, configured); len(got) != 1 || got[0] != "desk_data" {
				t.Errorf("the desk's database holds %v after the check; want only desk_data", got)
			}
			if err := tg.close(); err != nil {
				t.Errorf("close: %v", err)
			}
			if c.dialect == store.Postgres {
				var left int
				admin := open(t, configured)
				if err := admin.X.Get(&left, `SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1`, tg.schema); err != nil || left != 0 {
					t.Errorf("schema %s after close: %d (%v); want dropped", tg.schema, left, err)
				}
			}
		})
	}
}

func open(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, url, query string) {
	t.Helper()
	if _, err := open(t, url).X.Exec(query); err != nil {
		t.Fatal(err)
	}
}

// tables lists the tables of url's current schema (or file).
func tables(t *testing.T, url string) []string {
	t.Helper()
	db := open(t, url)
	q := `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	if db.Dialect == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	}
	var names []string
	if err := db.X.Select(&names, q); err != nil {
		t.Fatal(err)
	}
	return names
}
