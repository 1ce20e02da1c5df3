package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dargo-support/dargo/store"
)

// tables are every table the migrations create, for before/after row counts.
var tables = []string{"users", "tickets", "participants", "inbound_mail", "messages",
	"thread_ids", "blobs", "attachments", "emails", "outbox", "suppressions",
	"login_tokens", "sessions", "logins", "activity"}

// rowCounts counts the rows of every table.
func rowCounts(t testing.TB, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range tables {
		var n int
		if err := db.X.GetContext(context.Background(), &n, "SELECT COUNT(*) FROM "+table); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}

// count returns the result of a COUNT(*) query written with '?' placeholders.
func count(t testing.TB, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.X.GetContext(context.Background(), &n, db.X.Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// exec runs a statement written with '?' placeholders.
func exec(t testing.TB, db *store.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.X.ExecContext(context.Background(), db.X.Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

var msgSeq atomic.Int64

// newMessageID returns a Message-ID no other test uses.
func newMessageID() string {
	return fmt.Sprintf("m%d.%d@example.com", time.Now().UnixNano(), msgSeq.Add(1))
}

// newTicket is a delivery that opens a ticket from alice.
func newTicket(subject string) *store.Incoming {
	return &store.Incoming{
		From:    store.Person{Email: "alice@example.com", Name: "Alice"},
		Subject: subject,
		Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: newMessageID(),
			Subject: subject, Text: "Hello\n> quoted", VisibleText: "Hello"},
	}
}

// reply is a delivery that appends a message from an address to a ticket.
func reply(ticketID int64, from string) *store.Incoming {
	return &store.Incoming{
		TicketID: ticketID,
		From:     store.Person{Email: from},
		Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: newMessageID(),
			Subject: "Re: help", Text: "more", VisibleText: "more"},
	}
}

func deliver(t testing.TB, db *store.DB, d *store.Incoming) *store.Recorded {
	t.Helper()
	got, err := db.RecordInbound(context.Background(), d)
	if err != nil {
		t.Fatalf("deliver: %v", err)
	}
	return got
}

func wantNotFound(t testing.TB, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: err = %v, want store.ErrNotFound", what, err)
	}
}
