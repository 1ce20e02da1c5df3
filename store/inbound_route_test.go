package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// routedMail stores a raw mail and returns an inbound record of it from
// `from` with Message-ID id, routed by r.
func routedMail(t *testing.T, db *store.DB, from, id string, r *store.InboundRoute) *store.Incoming {
	t.Helper()
	raw := []byte("From: " + from + "\r\nMessage-ID: <" + id + ">\r\n\r\nhello\r\n")
	rec, _, err := db.SaveInboundMail(context.Background(), &store.InboundMail{Key: "k-" + id, Sender: from}, raw)
	if err != nil {
		t.Fatal(err)
	}
	return &store.Incoming{InboundMailID: rec.ID, From: store.Person{Email: from}, Subject: "Printer",
		Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: id, Text: "hello"}, Route: r}
}

func TestRecordInboundRoutesInItsTransaction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first, err := db.RecordInbound(ctx, routedMail(t, db, "ada@example.com", "m1@example.com", &store.InboundRoute{}))
		if err != nil || !first.Created {
			t.Fatalf("first mail: %+v, %v", first, err)
		}
		var seen store.Route
		decide := func(r store.Route, in *store.Incoming) string { seen = r; return "" }
		tests := []struct {
			name, from, id string
			route          store.InboundRoute
			wantTicket     int64 // the number written to; 0 is a new ticket
			wantWhy        bool
		}{
			{"thread header from a participant", "ada@example.com", "m2@example.com",
				store.InboundRoute{ThreadIDs: []string{"<m1@example.com>"}}, first.TicketNumber, false},
			{"subject tag from a participant", "Ada@Example.com", "m3@example.com",
				store.InboundRoute{SubjectNumber: first.TicketNumber}, first.TicketNumber, false},
			{"thread header from a stranger", "eve@example.com", "m4@example.com",
				store.InboundRoute{ThreadIDs: []string{"m1@example.com"}}, 0, true},
			{"reply address from a stranger", "eve@example.com", "m5@example.com",
				store.InboundRoute{ReplyNumbers: []int64{999, first.TicketNumber}}, first.TicketNumber, false},
			{"ambiguous From", "ada@example.com", "m6@example.com",
				store.InboundRoute{ThreadIDs: []string{"m1@example.com"}, Ambiguous: "two From"}, 0, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.route.Decide = decide
				got, err := db.RecordInbound(ctx, routedMail(t, db, tt.from, tt.id, &tt.route))
				if err != nil {
					t.Fatal(err)
				}
				if want := tt.wantTicket; (want == 0) != got.Created || (want != 0 && got.TicketNumber != want) {
					t.Errorf("got ticket #%d (created %v), want #%d", got.TicketNumber, got.Created, want)
				}
				if (seen.Why != "") != tt.wantWhy {
					t.Errorf("why %q, want one: %v", seen.Why, tt.wantWhy)
				}
			})
		}
		t.Run("seen Message-ID", func(t *testing.T) {
			d := routedMail(t, db, "ada@example.com", "m7@example.com", &store.InboundRoute{})
			d.Message.MessageID = "m1@example.com"
			if _, err := db.RecordInbound(ctx, d); !errors.Is(err, store.ErrDuplicate) {
				t.Fatalf("err %v, want ErrDuplicate", err)
			}
		})
		t.Run("blocked sender", func(t *testing.T) {
			if err := db.Block(ctx, "gone@example.com"); err != nil {
				t.Fatal(err)
			}
			_, err := db.RecordInbound(ctx, routedMail(t, db, "gone@example.com", "m8@example.com", &store.InboundRoute{CheckBlocked: true}))
			if !errors.Is(err, store.ErrBlocked) {
				t.Fatalf("err %v, want ErrBlocked", err)
			}
			if n := countRows(t, db, "users WHERE email = 'gone@example.com'"); n != 0 {
				t.Errorf("%d users made for a blocked sender", n)
			}
		})
		t.Run("decide ignores", func(t *testing.T) {
			d := routedMail(t, db, "ada@example.com", "m9@example.com", &store.InboundRoute{
				Decide: func(store.Route, *store.Incoming) string { return "automatic mail" }})
			got, err := db.RecordInbound(ctx, d)
			if err != nil || got.Ignored != "automatic mail" {
				t.Fatalf("got %+v, %v", got, err)
			}
			rec, err := db.InboundMail(ctx, d.InboundMailID)
			if err != nil || rec.Action != "ignored" || rec.Reason != "automatic mail" {
				t.Fatalf("inbound mail %+v, %v", rec, err)
			}
			if n := countRows(t, db, "messages WHERE message_id = 'm9@example.com'"); n != 0 {
				t.Errorf("%d messages written for an ignored mail", n)
			}
		})
		t.Run("processed already", func(t *testing.T) {
			d := routedMail(t, db, "ada@example.com", "m10@example.com", &store.InboundRoute{})
			if _, err := db.RecordInbound(ctx, d); err != nil {
				t.Fatal(err)
			}
			d.Message.MessageID = "m11@example.com"
			if _, err := db.RecordInbound(ctx, d); !errors.Is(err, store.ErrProcessed) {
				t.Fatalf("err %v, want ErrProcessed", err)
			}
		})
	})
}

func countRows(t *testing.T, db *store.DB, from string) int {
	t.Helper()
	var n int
	if err := db.X.GetContext(context.Background(), &n, fmt.Sprintf("SELECT COUNT(*) FROM %s", from)); err != nil {
		t.Fatal(err)
	}
	return n
}
