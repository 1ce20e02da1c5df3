package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkStartTicket starts a ticket to a new address with one Cc and a
// small file (customer record, ticket, message, file, two mails); each op
// is one ticket.
func BenchmarkStartTicket(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			db := testdb.Open(b, dialect)
			ctx := context.Background()
			sam, err := db.SetRole(ctx, "sam@support.example", "staff")
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				_, err := db.StartTicket(ctx, store.StaffStart{StaffID: sam.ID, To: store.Person{Email: fmt.Sprintf("c%d@example.com", i)},
					Cc: []store.Person{{Email: fmt.Sprintf("cc%d@example.com", i)}}, Subject: "Your order", Text: "It is delayed.",
					Attachments: []store.NewAttachment{{Filename: "label.txt", ContentType: "text/plain", Data: fmt.Appendf(nil, "label %d", i)}}})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
