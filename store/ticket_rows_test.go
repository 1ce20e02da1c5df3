package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// rowFromMessages is what a ticket's inbox row must say, worked out from
// its messages the slow way: the count of messages other than notes, the
// newest of them, and the newest customer message.
func rowFromMessages(t *testing.T, db *store.DB, ticketID int64) (messages int, lastID, lastInbound int64) {
	t.Helper()
	messages = count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ? AND kind <> 'note'`, ticketID)
	lastID = int64(count(t, db, `SELECT COALESCE(MAX(id), 0) FROM messages WHERE ticket_id = ? AND kind <> 'note'`, ticketID))
	lastInbound = int64(count(t, db, `SELECT COALESCE(MAX(id), 0) FROM messages WHERE ticket_id = ? AND kind = 'inbound'`, ticketID))
	return messages, lastID, lastInbound
}

// checkRow compares a ticket's inbox row, kept in ticket_rows, with its
// messages and the preview and kind wanted.
func checkRow(t *testing.T, db *store.DB, subject string, ticketID int64, preview, kind string) {
	t.Helper()
	r := rowOf(t, db, store.InboxQuery{Queue: store.QueueAll}, subject)
	n, last, inbound := rowFromMessages(t, db, ticketID)
	got := int64(0)
	if r.LastID != nil {
		got = *r.LastID
	}
	if r.Messages != n || got != last || r.LastInboundID != inbound || r.Preview != preview || r.LastKind != kind {
		t.Errorf("%s: row messages %d last %d inbound %d preview %q kind %q; want %d %d %d %q %q",
			subject, r.Messages, got, r.LastInboundID, r.Preview, r.LastKind, n, last, inbound, preview, kind)
	}
}

// TestTicketRowsFollowMessages: the row data kept beside each ticket
// (ticket_rows) follows every change to its messages, in the same
// transaction: a customer's message, a note (which does not change it), a
// reply, the undo of that reply, and an erasure that blanks the customer's
// words.
func TestTicketRowsFollowMessages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := withClock(db)
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		got := deliver(t, db, newTicket("Printer"))
		checkRow(t, db, "Printer", got.TicketID, "Hello", "inbound")

		c.Add(time.Minute)
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID, Text: "Internal only", Note: true}); err != nil {
			t.Fatal(err)
		}
		checkRow(t, db, "Printer", got.TicketID, "Hello", "inbound")

		c.Add(time.Minute)
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID, Text: "Try a new cartridge.", Hold: time.Minute}); err != nil {
			t.Fatal(err)
		}
		checkRow(t, db, "Printer", got.TicketID, "Try a new cartridge.", "outbound")

		undos, err := db.PendingUndos(ctx, agent.ID, 5)
		if err != nil || len(undos) != 1 {
			t.Fatalf("pending undos = %+v, %v", undos, err)
		}
		if _, err := db.Undo(ctx, undos[0].ID, agent.ID); err != nil {
			t.Fatal(err)
		}
		checkRow(t, db, "Printer", got.TicketID, "Hello", "inbound")

		c.Add(time.Minute)
		deliver(t, db, reply(got.TicketID, "alice@example.com"))
		checkRow(t, db, "Printer", got.TicketID, "more", "inbound")

		// Erased, the customer's words go from the row as from the thread.
		u, err := db.UserByEmail(ctx, "alice@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Erase(ctx, u.ID, store.EraseOpts{ActorID: agent.ID}); err != nil {
			t.Fatal(err)
		}
		var subject string
		if err := db.X.GetContext(ctx, &subject, db.X.Rebind(`SELECT subject FROM tickets WHERE id = ?`), got.TicketID); err != nil {
			t.Fatal(err)
		}
		checkRow(t, db, subject, got.TicketID, "", "inbound")
	})
}
