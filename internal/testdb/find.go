package testdb

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/store"
)

// Tables lists the database's tables, from its catalog.
func Tables(t testing.TB, db *store.DB) []string {
	t.Helper()
	var tables []string
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.Dialect == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	if err := db.X.SelectContext(context.Background(), &tables, q); err != nil || len(tables) < 10 {
		t.Fatalf("list tables: %v (%d)", err, len(tables))
	}
	return tables
}

// FindAnywhere searches every column of every table whose name keep
// accepts (byte columns, blobs included, as text) for s; it returns where it
// found it, or "". Erasure tests use it to show nothing is left.
func FindAnywhere(t testing.TB, db *store.DB, s string, keep func(table string) bool) string {
	t.Helper()
	ctx := context.Background()
	for _, table := range Tables(t, db) {
		if !keep(table) {
			continue
		}
		rows, err := db.X.QueryxContext(ctx, "SELECT * FROM "+table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		for rows.Next() {
			row := map[string]any{}
			if err := rows.MapScan(row); err != nil {
				rows.Close()
				t.Fatal(err)
			}
			text := fmt.Sprint(row)
			for k, v := range row {
				if b, ok := v.([]byte); ok {
					text += " " + k + "=" + string(b)
				}
			}
			if strings.Contains(text, s) {
				rows.Close()
				return table + ": " + text
			}
		}
		rows.Close()
	}
	return ""
}

// NotSearchIndex keeps every table but the full-text index tables (SQLite's
// FTS5 tables, PostgreSQL's messages_fts).
func NotSearchIndex(table string) bool { return !strings.Contains(table, "_fts") }

// SearchIndex keeps only the full-text index tables.
func SearchIndex(table string) bool { return strings.Contains(table, "_fts") }
