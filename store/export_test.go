package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func replyTo(number int64) string { return fmt.Sprintf("support+%d-mac@dargo.test", number) }

func TestExport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Alice opens #1 with a file and a confirmation; Bob (Cc) replies; staff adds a note.
		d := newTicket("My data")
		d.Message.Text, d.Message.VisibleText = "Please help\n\nOn Monday someone wrote:\n> old", "Please help"
		d.Cc = []store.Person{{Email: "bob@example.com", Name: "Bob"}}
		d.Confirm = true
		d.Attachments = []store.NewAttachment{{Filename: "scan.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7")}}
		one := deliver(t, db, d)
		r := reply(one.TicketID, "bob@example.com")
		r.Message.VisibleText = "Me too"
		deliver(t, db, r)
		exec(t, db, `INSERT INTO users (email, name, role, created_at, updated_at) VALUES ('staff@dargo.test', 'Staff', 'staff', ?, ?)`, db.Now(), db.Now())
		exec(t, db, `INSERT INTO messages (ticket_id, author_id, kind, source, text, visible_text, created_at)
			VALUES (?, (SELECT id FROM users WHERE email = 'staff@dargo.test'), 'note', 'web', 'customer is angry', 'customer is angry', ?)`,
			one.TicketID, db.Now())
		// Someone else's ticket #2 is not Alice's.
		other := newTicket("Not hers")
		other.From = store.Person{Email: "zed@example.com"}
		deliver(t, db, other)

		got, err := db.Export(ctx, "ALICE@example.com", replyTo)
		if err != nil {
			t.Fatal(err)
		}
		if got.User.Email != "alice@example.com" || got.User.Name != "Alice" || got.User.Role != "customer" || got.User.CreatedAt.IsZero() {
			t.Errorf("user = %+v", got.User)
		}
		if len(got.Tickets) != 1 {
			t.Fatalf("tickets = %+v, want only #1", got.Tickets)
		}
		tk := got.Tickets[0]
		if tk.Number != 1 || tk.Subject != "My data" || tk.Status != "open" || tk.Priority != "normal" ||
			tk.Category != "general" || tk.ReplyTo != replyTo(1) || tk.CreatedAt.IsZero() {
			t.Errorf("ticket = %+v", tk)
		}
		if len(tk.Messages) != 2 {
			t.Fatalf("messages = %+v, want Alice's and Bob's (the note is left out)", tk.Messages)
		}
		want := []struct {
			id          int64
			from, text  string
			attachments []store.ExportAttachment
		}{
			{one.MessageID, "alice@example.com", "Please help",
				[]store.ExportAttachment{{Filename: "scan.pdf", ContentType: "application/pdf", Size: 8}}},
			{0, "bob@example.com", "Me too", []store.ExportAttachment{}},
		}
		for i, w := range want {
			m := tk.Messages[i]
			if (w.id != 0 && m.ID != w.id) || m.Kind != "inbound" || m.From != w.from || m.Text != w.text || m.CreatedAt.IsZero() {
				t.Errorf("message %d = %+v, want from %s text %q", i, m, w.from, w.text)
			}
			if fmt.Sprint(m.Attachments) != fmt.Sprint(w.attachments) {
				t.Errorf("message %d attachments = %+v, want %+v", i, m.Attachments, w.attachments)
			}
		}
		if len(got.Emails) != 1 {
			t.Fatalf("emails = %+v, want the confirmation", got.Emails)
		}
		e := got.Emails[0]
		if e.Kind != store.EmailConfirmation || e.Ticket == nil || *e.Ticket != 1 || e.Subject != "My data" ||
			e.Status != store.EmailQueued || e.CreatedAt.IsZero() {
			t.Errorf("email = %+v", e)
		}

		doc, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{`"sessions":[]`, `"logins":[]`, `"attachments":[]`, `"reply_to":"support+1-mac@dargo.test"`} {
			if !strings.Contains(string(doc), s) {
				t.Errorf("JSON lacks %s: %s", s, doc)
			}
		}
		if strings.Contains(string(doc), "customer is angry") {
			t.Errorf("JSON contains the internal note: %s", doc)
		}
	})
}

func TestExportOfAPersonWithNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, err := db.Export(ctx, "nobody@example.com", replyTo)
		wantNotFound(t, "Export(unknown)", err)

		exec(t, db, `INSERT INTO users (email, name, role, created_at, updated_at) VALUES ('quiet@example.com', '', 'customer', ?, ?)`, db.Now(), db.Now())
		got, err := db.Export(ctx, "quiet@example.com", replyTo)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{`"tickets":[]`, `"emails":[]`, `"sessions":[]`, `"logins":[]`} {
			if !strings.Contains(string(doc), s) {
				t.Errorf("JSON lacks %s: %s", s, doc)
			}
		}
	})
}
