package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrations embed.FS

// Migrate applies every embedded migration not yet applied, each in its own
// transaction, and returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	create := `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`
	// Under the lock too: two concurrent CREATE TABLE IF NOT EXISTS race on
	// PostgreSQL's catalog and one fails with a unique violation.
	err := db.InTx(ctx, func(tx *Tx) error {
		if err := tx.migrationLock(ctx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, create)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	dir := "migrations/" + db.Dialect
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	applied := 0
	for _, e := range entries {
		version, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return applied, fmt.Errorf("store: migration %s: name must start with a number", e.Name())
		}
		body, err := migrations.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return applied, err
		}
		done := false
		err = db.InTx(ctx, func(tx *Tx) error {
			if err := tx.migrationLock(ctx); err != nil {
				return err
			}
			var n int
			if err := tx.GetContext(ctx, &n, tx.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version); err != nil {
				return err
			}
			if n > 0 {
				done = true
				return nil
			}
			for _, stmt := range splitSQL(string(body)) {
				if _, err := tx.Tx.ExecContext(ctx, stmt); err != nil { // not cached: DDL runs once
					return fmt.Errorf("%s: %w", e.Name(), err)
				}
			}
			_, err := tx.ExecContext(ctx, tx.q(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), version, db.Now())
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("store: migrate: %w", err)
		}
		if !done {
			applied++
		}
	}
	return applied, nil
}

// migrationLock makes two releases migrating at once wait for each other on
// PostgreSQL; SQLite's IMMEDIATE transactions already serialize writers.
func (tx *Tx) migrationLock(ctx context.Context) error {
	if tx.db.Dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727472)`)
	return err
}

// splitSQL splits a migration file on semicolons that end a line, except
// inside a $$-quoted body (a PostgreSQL function's).
func splitSQL(body string) []string {
	var out []string
	stmt := ""
	for _, part := range strings.Split(body, ";\n") {
		stmt += part
		if strings.Count(stmt, "$$")%2 == 1 {
			stmt += ";\n" // inside a function body: the statement goes on
			continue
		}
		if s := strings.TrimSpace(stmt); s != "" {
			out = append(out, s)
		}
		stmt = ""
	}
	if s := strings.TrimSpace(stmt); s != "" {
		out = append(out, s)
	}
	return out
}
