package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// On SQLite a transaction's statement is compiled once per connection and
// then reused: forty transactions running the same UPDATE prepare it at
// most once per pooled connection (and once beside them, for the cache),
// and every one of them still runs it. Several statements in one string
// are never prepared.
func TestStatementsPreparedOncePerConnection(t *testing.T) {
	db, c := testdb.OpenCounted(t, store.SQLite)
	ctx := context.Background()
	const update = `UPDATE users SET name = name WHERE id = ?`
	const script = `UPDATE users SET name = name WHERE id = 0; UPDATE users SET name = name WHERE id = -1`
	run := func() {
		t.Helper()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, update, 1); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, script)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	c.Reset()
	run() // the first meets it: prepared beside the transaction
	for deadline := time.Now().Add(5 * time.Second); countLog(c.Log(), "prepare "+update) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the statement was never prepared for the cache")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for range 40 {
		run()
	}
	log := c.Log()
	if n := countLog(log, "prepare "+update); n > 9 {
		t.Errorf("prepared %d times for 41 transactions, want at most once per connection (8) and once for the cache", n)
	}
	if n := countLog(log, "exec "+update); n != 41 {
		t.Errorf("ran %d times, want 41", n)
	}
	if n := countLog(log, "prepare "+script); n != 0 {
		t.Errorf("a script of two statements was prepared %d times, want never", n)
	}
}

func countLog(log []string, entry string) int {
	n := 0
	for _, l := range log {
		if strings.TrimSpace(l) == entry {
			n++
		}
	}
	return n
}
