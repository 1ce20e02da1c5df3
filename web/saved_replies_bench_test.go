package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkSavedReplyPicker serves the composer's picker in process with
// 1,000 saved replies (half shared, half the agent's own), on both
// databases: the list as it opens, a search as typed, and one preview
// filled in for the ticket.
func BenchmarkSavedReplyPicker(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			db := testdb.Open(b, dialect)
			agent, err := db.SetRole(ctx, "agent@example.com", "staff")
			if err != nil {
				b.Fatal(err)
			}
			got, err := db.RecordInbound(ctx, newMail("ada@example.com", "Invoice wrong", "Charged twice."))
			if err != nil {
				b.Fatal(err)
			}
			var last int64
			for i := range 1000 {
				s, err := db.CreateSavedReply(ctx, agent.ID, store.SavedReplyInput{Title: fmt.Sprintf("Answer %d about topic %d", i, i%37),
					Body: strings.Repeat("Hi {{customer.first_name|there}}, thanks for writing about #{{ticket.number}}. ", 8), Personal: i%2 == 0,
					Status: "pending", Tags: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				last = s.ID
			}
			h, secret := benchDesk(b, db, "agent@example.com", "")
			page := "/inbox/tickets/" + itoa(got.TicketNumber) + "/saved-replies"
			for _, tc := range []struct{ name, path string }{{"open", page + "?fragment=1"},
				{"search", page + "?q=topic+12&fragment=1"}, {"preview", page + "/" + itoa(last) + "?fragment=1"}} {
				b.Run(tc.name, func(b *testing.B) {
					for range b.N {
						if w := benchGet(h, tc.path, secret); w.Code != http.StatusOK {
							b.Fatalf("status %d", w.Code)
						}
					}
				})
			}
		})
	}
}
