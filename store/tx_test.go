package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestInTx(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		errBoom := errors.New("boom")
		insert := func(tx *store.Tx, email string) {
			t.Helper()
			_, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO suppressions (email, reason, source, created_at) VALUES (?, 'r', 's', ?)`), email, db.Now())
			if err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name      string
			fn        func(tx *store.Tx) error
			wantErr   error
			wantPanic bool
			email     string
			wantRow   bool
		}{
			{"commits on nil", func(tx *store.Tx) error { insert(tx, "commit@x"); return nil }, nil, false, "commit@x", true},
			{"rolls back on error", func(tx *store.Tx) error { insert(tx, "error@x"); return errBoom }, errBoom, false, "error@x", false},
			{"rolls back and re-panics", func(tx *store.Tx) error { insert(tx, "panic@x"); panic(errBoom) }, nil, true, "panic@x", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var err error
				panicked := func() (p any) {
					defer func() { p = recover() }()
					err = db.InTx(ctx, tt.fn)
					return nil
				}()
				if tt.wantPanic != (panicked != nil) {
					t.Errorf("panic = %v, want panic %v", panicked, tt.wantPanic)
				}
				if tt.wantPanic && panicked != errBoom {
					t.Errorf("re-panicked with %v, want the original value", panicked)
				}
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
					t.Errorf("InTx = %v, want %v", err, tt.wantErr)
				}
				suppressed, err := db.IsSuppressed(ctx, tt.email)
				if err != nil {
					t.Fatal(err)
				}
				if suppressed != tt.wantRow {
					t.Errorf("row written in the transaction is there: %v, want %v", suppressed, tt.wantRow)
				}
			})
		}
		// Nothing is left holding a lock: the database still takes writes.
		if err := db.Suppress(ctx, "after@x", "r", "s"); err != nil {
			t.Fatalf("write after the failed transactions: %v", err)
		}
	})
}
