package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// A batch writes all its deliveries, or none when one fails.
func TestRecordInboundBatchAllOrNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		outs, err := db.RecordInboundBatch(ctx, []*store.Incoming{newTicket("One"), newTicket("Two"), newTicket("Three")})
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range outs {
			if !o.Created || o.TicketNumber != int64(i+1) || o.MessageID == 0 {
				t.Errorf("delivery %d = %+v, want ticket #%d created", i, o, i+1)
			}
		}
		repeat := newTicket("Repeat")
		repeat.Message.MessageID = ""
		good := newTicket("Four")
		dup := *good // the same Message-ID: the third delivery fails
		dup.Subject = "Four again"
		_, err = db.RecordInboundBatch(ctx, []*store.Incoming{repeat, good, &dup})
		if !errors.Is(err, store.ErrDuplicate) {
			t.Fatalf("batch with a repeated Message-ID: %v, want ErrDuplicate", err)
		}
		var tickets int
		if err := db.X.Get(&tickets, `SELECT COUNT(*) FROM tickets`); err != nil {
			t.Fatal(err)
		}
		if tickets != 3 {
			t.Errorf("%d tickets after the failed batch, want the 3 of the first", tickets)
		}
	})
}
