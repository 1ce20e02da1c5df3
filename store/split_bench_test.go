package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkSplit500 splits one message off a ticket of 500 (from 10
// people, one file on every tenth); each op is one split, and the mail
// that tops the ticket up to 500 again is not timed.
func BenchmarkSplit500(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			db := testdb.Open(b, dialect)
			ctx := context.Background()
			a, err := db.RecordInbound(ctx, newTicket("Long story"))
			if err != nil {
				b.Fatal(err)
			}
			more := func(i int) int64 {
				d := reply(a.TicketID, fmt.Sprintf("p%d@example.com", i%10))
				d.Message.SenderAuth = store.SenderVerified
				if i%10 == 0 {
					d.Attachments = []store.NewAttachment{{Filename: "log.txt", ContentType: "text/plain", Data: fmt.Appendf(nil, "log %d", i)}}
				}
				got, err := db.RecordInbound(ctx, d)
				if err != nil {
					b.Fatal(err)
				}
				return got.MessageID
			}
			var pool []int64
			for i := 1; i < 500; i++ {
				pool = append(pool, more(i))
			}
			i := 500
			b.ReportAllocs()
			for b.Loop() {
				m := pool[0]
				pool = pool[1:]
				if _, err := db.SplitMessage(ctx, store.SplitRequest{TicketID: a.TicketID, MessageID: m, Subject: "Another thing"}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				pool = append(pool, more(i))
				i++
				b.StartTimer()
			}
		})
	}
}
