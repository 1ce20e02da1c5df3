package store_test

import (
	"context"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestTicketByThreadIDs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		one, two := newTicket("one"), newTicket("two")
		t1, t2 := deliver(t, db, one), deliver(t, db, two)
		a, b := one.Message.MessageID, two.Message.MessageID
		tests := []struct {
			name string
			ids  []string
			want int64 // ticket id; 0 is not found
		}{
			{"one id", []string{a}, t1.TicketID},
			{"the last id wins", []string{a, b}, t2.TicketID},
			{"the last id wins, reversed", []string{b, a}, t1.TicketID},
			{"unknown ids are skipped", []string{a, "unknown@x"}, t1.TicketID},
			{"unknown ids", []string{"unknown@x", "other@x"}, 0},
			{"no ids", nil, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.TicketByThreadIDs(ctx, tt.ids)
				if tt.want == 0 {
					wantNotFound(t, "TicketByThreadIDs", err)
					if got != nil {
						t.Errorf("got ticket %+v with the error", got)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got.ID != tt.want {
					t.Errorf("ticket = %d, want %d", got.ID, tt.want)
				}
			})
		}
	})
}

func TestLookupsReturnErrNotFound(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		deliver(t, db, newTicket("exists"))
		tests := []struct {
			name string
			call func() (any, error)
		}{
			{"TicketByNumber", func() (any, error) { return db.TicketByNumber(ctx, 42) }},
			{"Ticket", func() (any, error) { return db.Ticket(ctx, 42) }},
			{"UserByEmail", func() (any, error) { return db.UserByEmail(ctx, "nobody@example.com") }},
			{"InboundMail", func() (any, error) { return db.InboundMail(ctx, 42) }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := tt.call()
				wantNotFound(t, tt.name, err)
				if err == nil {
					t.Errorf("got %+v and no error", got)
				}
			})
		}
	})
}
