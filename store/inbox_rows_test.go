package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// rowOf returns the inbox row of the ticket with the subject.
func rowOf(t *testing.T, db *store.DB, q store.InboxQuery, subject string) store.InboxRow {
	t.Helper()
	for _, r := range mustInbox(t, db, q).Rows {
		if r.Subject == subject {
			return r
		}
	}
	t.Fatalf("no row %q in %+v", subject, q)
	return store.InboxRow{}
}

// marked renders a snippet as [word] for marked parts.
func marked(s *store.Snippet) string {
	if s == nil {
		return "<nil>"
	}
	var b strings.Builder
	b.WriteString(s.Field + ": ")
	for _, p := range s.Parts {
		if p.Mark {
			b.WriteString("[" + p.Text + "]")
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// TestInboxRowPreviewWaitingUnread: a row previews the newest message that
// is not a note, says how long the customer has waited while the newest is
// theirs and the ticket is open, and is unread for a staff member until
// they are shown the customer's newest message.
func TestInboxRowPreviewWaitingUnread(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := withClock(db)
		sam, kim := addStaff(t, db, "sam@support.example"), addStaff(t, db, "kim@support.example")
		d := newTicket("Printer")
		d.Message.VisibleText = "The printer\n\n  jams   on every page. " + strings.Repeat("Really. ", 40)
		got := deliver(t, db, d)
		asked := c.Now()
		all := store.InboxQuery{Queue: store.QueueAll, ViewerID: sam}

		r := rowOf(t, db, all, "Printer")
		if !strings.HasPrefix(r.Preview, "The printer jams on every page. Really.") || !strings.HasSuffix(r.Preview, "…") ||
			len([]rune(r.Preview)) > 141 {
			t.Errorf("preview = %q, want the text on one line, cut with …", r.Preview)
		}
		if w := r.Waiting(); w == nil || !w.Equal(asked) {
			t.Errorf("waiting since %v, want %v", w, asked)
		}
		if r.LastKind != "inbound" || !r.Unread() {
			t.Errorf("last kind %q, unread %v; want inbound, unread", r.LastKind, r.Unread())
		}

		// Sam opens it: read for Sam, still unread for Kim.
		if err := db.MarkRead(ctx, got.TicketID, sam, got.MessageID); err != nil {
			t.Fatal(err)
		}
		if rowOf(t, db, all, "Printer").Unread() {
			t.Error("unread for sam after he was shown it")
		}
		if !rowOf(t, db, store.InboxQuery{Queue: store.QueueAll, ViewerID: kim}, "Printer").Unread() {
			t.Error("read for kim, who never opened it")
		}
		// A marker never moves back.
		if err := db.MarkRead(ctx, got.TicketID, sam, got.MessageID-1); err != nil {
			t.Fatal(err)
		}
		if rowOf(t, db, all, "Printer").Unread() {
			t.Error("an older marker made the ticket unread again")
		}

		// A note is not the conversation: the preview stays the customer's.
		c.Add(time.Hour)
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: sam, Text: "Checked the logs", Note: true}); err != nil {
			t.Fatal(err)
		}
		r = rowOf(t, db, all, "Printer")
		if !strings.HasPrefix(r.Preview, "The printer") || r.Waiting() == nil {
			t.Errorf("after a note: preview %q, waiting %v", r.Preview, r.Waiting())
		}
		// A staff reply answers: previewed, and nobody is waiting.
		c.Add(time.Hour)
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: sam, Text: "Try a new cartridge."}); err != nil {
			t.Fatal(err)
		}
		r = rowOf(t, db, all, "Printer")
		if r.Preview != "Try a new cartridge." || r.LastKind != "outbound" || r.Waiting() != nil || r.Unread() {
			t.Errorf("after a reply: preview %q kind %q waiting %v unread %v", r.Preview, r.LastKind, r.Waiting(), r.Unread())
		}
		// The customer answers: waiting again since then, and unread again.
		c.Add(time.Hour)
		answered := c.Now()
		deliver(t, db, reply(got.TicketID, "alice@example.com"))
		r = rowOf(t, db, all, "Printer")
		if w := r.Waiting(); w == nil || !w.Equal(answered) || !r.Unread() || r.Preview != "more" {
			t.Errorf("after the customer's answer: waiting %v (want %v), unread %v, preview %q", w, answered, r.Unread(), r.Preview)
		}
		// A pending ticket waits on its customer, not on us.
		exec(t, db, `UPDATE tickets SET status = 'pending' WHERE id = ?`, got.TicketID)
		if w := rowOf(t, db, all, "Printer").Waiting(); w != nil {
			t.Errorf("pending ticket waiting since %v", w)
		}
	})
}

// TestInboxSearchSnippets: each result says why it matched, from the
// subject, the customer's name or address, or the newest matching message,
// with the words marked wherever they stand in a word's start.
func TestInboxSearchSnippets(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		withClock(db)
		bySubject := newTicket("Printer on fire")
		bySubject.Message.VisibleText = "help"
		deliver(t, db, bySubject)

		byCustomer := newTicket("Question")
		byCustomer.From = store.Person{Email: "jo.lee@mail.example", Name: "Jo Printerson"}
		byCustomer.Message.VisibleText = "hello"
		deliver(t, db, byCustomer)

		byMessage := newTicket("Paper")
		byMessage.Message.VisibleText = strings.Repeat("Lorem ipsum dolor. ", 20) + "Our <b>PRINTER</b> stopped; the printer's tray\nis stuck. " + strings.Repeat("Sit amet. ", 20)
		deliver(t, db, byMessage)

		q := store.InboxQuery{Queue: store.QueueAll, Search: "printer"}
		if got := marked(rowOf(t, db, q, "Printer on fire").Snippet); got != "subject: [Printer] on fire" {
			t.Errorf("subject match: %s", got)
		}
		if got := marked(rowOf(t, db, q, "Question").Snippet); got != "customer: Jo [Printerson] <jo.lee@mail.example>" {
			t.Errorf("customer match: %s", got)
		}
		got := marked(rowOf(t, db, q, "Paper").Snippet)
		if !strings.HasPrefix(got, "message: …") || !strings.Contains(got, "Our <b>[PRINTER]</b> stopped; the [printer]'s tray is stuck.") ||
			!strings.HasSuffix(got, "…") || strings.Contains(got, "\n") {
			t.Errorf("message match: %s", got)
		}

		// An address, and several words that are only together in a message.
		if got := marked(rowOf(t, db, store.InboxQuery{Queue: store.QueueAll, Search: "jo.lee@mail.example"}, "Question").Snippet); got != "customer: Jo Printerson <[jo.lee@mail.example]>" {
			t.Errorf("address match: %s", got)
		}
		if got := marked(rowOf(t, db, store.InboxQuery{Queue: store.QueueAll, Search: "tray stuck"}, "Paper").Snippet); !strings.Contains(got, "[tray] is [stuck]") {
			t.Errorf("two words: %s", got)
		}
		// Without a search, no snippet.
		if s := rowOf(t, db, store.InboxQuery{Queue: store.QueueAll}, "Paper").Snippet; s != nil {
			t.Errorf("snippet without a search: %s", marked(s))
		}
	})
}

// TestQueueCountsCapped: a queue holding QueueCountCap tickets or more
// counts as QueueCountCap.
func TestQueueCountsCapped(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.Seed(context.Background(), store.SeedOpts{Tickets: 4*store.QueueCountCap + 400, Messages: 4*store.QueueCountCap + 400, Customers: 5}); err != nil {
			t.Fatal(err)
		}
		c, err := db.QueueCounts(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if c.Open != store.QueueCountCap || c.Pending != store.QueueCountCap || c.Mine != 0 {
			t.Errorf("counts %+v, want open and pending at the cap %d", c, store.QueueCountCap)
		}
	})
}

// TestThreadLatest: a long thread gives its latest messages, oldest first,
// and how many came before them.
func TestThreadLatest(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := withClock(db)
		got := deliver(t, db, newTicket("Long"))
		for range 7 {
			c.Add(time.Minute)
			deliver(t, db, reply(got.TicketID, "alice@example.com"))
		}
		msgs, earlier, err := db.ThreadLatest(ctx, got.TicketID, false, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 3 || earlier != 5 {
			t.Fatalf("got %d messages, %d earlier; want 3, 5", len(msgs), earlier)
		}
		all, err := db.Thread(ctx, got.TicketID, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 8 || msgs[0].ID != all[5].ID || msgs[2].ID != all[7].ID {
			t.Errorf("latest three are not the thread's last three, oldest first")
		}
		if _, earlier, _ := db.ThreadLatest(ctx, got.TicketID, false, 8); earlier != 0 {
			t.Errorf("earlier = %d when all fit", earlier)
		}
	})
}
