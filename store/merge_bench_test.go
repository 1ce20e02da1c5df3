package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkMerge500 merges a ticket of 500 messages (from 10 people, one
// file on every tenth) into another; each op is one merge, and the undo
// that sets up the next op is not timed.
func BenchmarkMerge500(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			db := testdb.Open(b, dialect)
			ctx := context.Background()
			a, err := db.RecordInbound(ctx, newTicket("Long story"))
			if err != nil {
				b.Fatal(err)
			}
			for i := 1; i < 500; i++ {
				d := reply(a.TicketID, fmt.Sprintf("p%d@example.com", i%10))
				d.Message.SenderAuth = store.SenderVerified
				if i%10 == 0 {
					d.Attachments = []store.NewAttachment{{Filename: "log.txt", ContentType: "text/plain", Data: fmt.Appendf(nil, "log %d", i)}}
				}
				if _, err := db.RecordInbound(ctx, d); err != nil {
					b.Fatal(err)
				}
			}
			into, err := db.RecordInbound(ctx, newTicket("Short story"))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				merges, err := db.MergeTickets(ctx, []int64{a.TicketNumber}, into.TicketNumber, 0)
				if err != nil {
					b.Fatal(err)
				}
				if merges[0].Messages != 500 {
					b.Fatalf("moved %d messages, want 500", merges[0].Messages)
				}
				b.StopTimer()
				if _, err := db.UndoMerges(ctx, []int64{merges[0].ID}, 0); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
