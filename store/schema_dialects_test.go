package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestDialectsHaveTheSameSchema: after every migration, SQLite and
// PostgreSQL hold the same tables with the same columns (their types may
// differ). A migration written for one dialect and forgotten, or written
// differently, in the other shows here, by table and column. The search
// index is the one difference by design: SQLite keeps it in FTS5 tables
// (messages_fts, tickets_fts and their shadow tables), PostgreSQL in a
// messages_fts table of its own shape (message_id, doc: migration 0040)
// and expression indexes, which are no tables (0006 and 0016).
func TestDialectsHaveTheSameSchema(t *testing.T) {
	lite := schemaOf(t, testdb.Open(t, store.SQLite))
	pg := schemaOf(t, testdb.Open(t, store.Postgres))
	if len(lite) < 10 || len(pg) < 10 {
		t.Fatalf("too few tables read: sqlite %d, postgres %d", len(lite), len(pg))
	}
	for _, fts := range []string{"messages_fts", "tickets_fts"} {
		if _, ok := lite[fts]; !ok {
			t.Errorf("sqlite has no %s table: the search index moved; say where here", fts)
		}
	}
	if _, ok := pg["messages_fts"]; !ok {
		t.Error("postgres has no messages_fts table: the search documents moved; say where here")
	}
	for _, tables := range []map[string][]string{lite, pg} {
		for table := range tables {
			if testdb.SearchIndex(table) {
				delete(tables, table)
			}
		}
	}
	var diffs []string
	for _, table := range unionKeys(lite, pg) {
		l, lok := lite[table]
		p, pok := pg[table]
		switch {
		case !lok:
			diffs = append(diffs, fmt.Sprintf("table %s: only in postgres", table))
		case !pok:
			diffs = append(diffs, fmt.Sprintf("table %s: only in sqlite", table))
		default:
			for _, c := range l {
				if !slices.Contains(p, c) {
					diffs = append(diffs, fmt.Sprintf("column %s.%s: only in sqlite", table, c))
				}
			}
			for _, c := range p {
				if !slices.Contains(l, c) {
					diffs = append(diffs, fmt.Sprintf("column %s.%s: only in postgres", table, c))
				}
			}
		}
	}
	if len(diffs) > 0 {
		t.Errorf("the dialects' schemas differ:\n%s", strings.Join(diffs, "\n"))
	}
}

// schemaOf reads the tables and their columns from the database's catalog.
func schemaOf(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	var rows []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
	}
	q := `SELECT m.name AS table_name, c.name AS column_name
		FROM sqlite_master m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	if db.Dialect == store.Postgres {
		q = `SELECT c.table_name, c.column_name FROM information_schema.columns c
			JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
			WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`
	}
	if err := db.X.SelectContext(ctx, &rows, q); err != nil {
		t.Fatalf("%s catalog: %v", db.Dialect, err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Table] = append(out[r.Table], r.Column)
	}
	return out
}

func unionKeys(a, b map[string][]string) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
