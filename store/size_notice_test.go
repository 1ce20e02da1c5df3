package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// One too-large notice a day per address, however many large mails and
// however many inbound replicas at once; a suppressed address gets none.
func TestTooLargeNoticeOncePerDay(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		db.Now = func() time.Time { return now }
		ada := store.Person{Email: "Ada@Example.com", Name: "Ada"}
		var wg sync.WaitGroup
		queued := make(chan bool, 8)
		for range 8 {
			wg.Go(func() {
				ok, err := db.QueueTooLargeNotice(ctx, ada, "holiday photos")
				if err != nil {
					t.Error(err)
				}
				queued <- ok
			})
		}
		wg.Wait()
		close(queued)
		n := 0
		for ok := range queued {
			if ok {
				n++
			}
		}
		if n != 1 {
			t.Errorf("8 held mails at once queued %d notices, want 1", n)
		}
		now = now.Add(23 * time.Hour)
		if ok, _ := db.QueueTooLargeNotice(ctx, ada, "again"); ok {
			t.Error("a second notice within a day")
		}
		now = now.Add(2 * time.Hour)
		if ok, _ := db.QueueTooLargeNotice(ctx, ada, "next day"); !ok {
			t.Error("no notice a day later")
		}
		es, _ := db.Emails(ctx, "ada@example.com")
		if len(es) != 2 || es[0].Kind != store.EmailTooLarge || es[0].Subject != "holiday photos" || es[0].Status != store.EmailQueued || !es[0].Auto {
			t.Errorf("emails to ada: %+v", es)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox o JOIN emails e ON e.id = o.email_id WHERE e.kind = 'too_large'`); n != 2 {
			t.Errorf("%d outbox rows for notices, want 2", n)
		}
		if err := db.Suppress(ctx, "bob@example.com", "complaint", "ses-complaint"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.QueueTooLargeNotice(ctx, store.Person{Email: "bob@example.com"}, "x"); ok {
			t.Error("a notice queued to a suppressed address")
		}
	})
}
