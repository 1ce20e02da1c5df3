package bench

import (
	"context"
	"fmt"
	"os"

	"github.com/dargo-support/dargo/store"
)

// openStore opens the bench's database and makes sure it is the one made
// for the bench, still empty, before anything is written: on PostgreSQL
// the isolation rests on the URL's search_path, which a pooler may drop
// (PgBouncer's ignore_startup_parameters), leaving the connection in the
// desk's own schema.
func openStore(ctx context.Context, t *target) (*store.DB, error) {
	db, err := store.Open(ctx, t.url)
	if err != nil {
		return nil, err
	}
	if err := t.check(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// check refuses a database that is not the bench's own fresh one.
func (t *target) check(ctx context.Context, db *store.DB) error {
	if db.Dialect == store.Postgres {
		return t.checkSchema(ctx, db)
	}
	return t.checkFile(ctx, db)
}

func (t *target) checkSchema(ctx context.Context, db *store.DB) error {
	var current *string
	if err := db.X.GetContext(ctx, &current, `SELECT current_schema()`); err != nil {
		return fmt.Errorf("bench: current schema: %w", err)
	}
	if current == nil || *current != t.schema {
		got := "none"
		if current != nil {
			got = *current
		}
		return fmt.Errorf("bench: refusing to run: the connection's current schema is %q, not the bench's %q; "+
			"something between the bench and PostgreSQL (a pooler such as PgBouncer with ignore_startup_parameters) "+
			"drops the search_path parameter, point DARGO_DATABASE_URL at PostgreSQL directly", got, t.schema)
	}
	var n int
	if err := db.X.GetContext(ctx, &n, `SELECT COUNT(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1`, t.schema); err != nil {
		return fmt.Errorf("bench: count relations in %s: %w", t.schema, err)
	}
	if n > 0 {
		return fmt.Errorf("bench: refusing to run: schema %s already holds %d tables or other relations, want a fresh one", t.schema, n)
	}
	return nil
}

func (t *target) checkFile(ctx context.Context, db *store.DB) error {
	var file string
	if err := db.X.GetContext(ctx, &file, `SELECT file FROM pragma_database_list WHERE name = 'main'`); err != nil {
		return fmt.Errorf("bench: database file: %w", err)
	}
	info, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("bench: refusing to run: the database opened, %q: %w", file, err)
	}
	if t.file == nil || !os.SameFile(info, t.file) {
		return fmt.Errorf("bench: refusing to run: the database opened is %q, not the file the bench made", file)
	}
	var n int
	if err := db.X.GetContext(ctx, &n, `SELECT COUNT(*) FROM sqlite_master`); err != nil {
		return fmt.Errorf("bench: count tables in %s: %w", file, err)
	}
	if n > 0 {
		return fmt.Errorf("bench: refusing to run: %s already holds %d tables or indexes, want a fresh file", file, n)
	}
	return nil
}
