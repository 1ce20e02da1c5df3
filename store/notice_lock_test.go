package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestRelaySkipsANoticeBeingJoined: on PostgreSQL, while a transaction
// adds an event to a held notice (holding its outbox row, as tell does),
// the relay leaves the row for its next pass instead of sending a notice
// without that event. SQLite has one writer at a time: there the relay
// reads the row, and the UndoMargin keeps tell from joining a notice so
// close to being due.
func TestRelaySkipsANoticeBeingJoined(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.EnsureUser(ctx, "mia@desk.example", "Mia", "staff"); err != nil {
			t.Fatal(err)
		}
		deliver(t, db, newTicket("Locked notice"))
		var outboxID int64
		if err := db.X.GetContext(ctx, &outboxID, db.X.Rebind(`SELECT o.id FROM outbox o JOIN emails e ON e.id = o.email_id WHERE e.kind = ?`), store.EmailStaffNotice); err != nil {
			t.Fatal(err)
		}
		tx, err := db.X.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		lock := ""
		if db.Dialect == store.Postgres {
			lock = " FOR UPDATE"
		}
		var id int64
		if err := tx.GetContext(ctx, &id, db.X.Rebind(`SELECT id FROM outbox WHERE id = ?`+lock), outboxID); err != nil {
			t.Fatal(err)
		}
		later := time.Now().UTC().Add(store.DefaultNoticeWait + time.Minute)
		db.Now = func() time.Time { return later }
		pending := func() bool {
			rows, err := db.OutboxDue(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			return slices.ContainsFunc(rows, func(r store.OutboxRow) bool { return r.ID == outboxID })
		}
		if got, want := pending(), db.Dialect != store.Postgres; got != want {
			t.Errorf("while the notice is held by another transaction: relay takes it = %v, want %v", got, want)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if !pending() {
			t.Error("after the commit the relay does not take the notice")
		}
	})
}
