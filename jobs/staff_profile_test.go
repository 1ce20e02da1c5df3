package jobs_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"

	"github.com/dargo-support/dargo/store"
)

// TestStaffReplyCarriesTheAgentsNameAndSignature: a reply mailed for a
// staff member with a profile comes "from" them by name at the desk's
// address, and their signature follows the reply in both parts; their own
// address appears nowhere in the mail.
func TestStaffReplyCarriesTheAgentsNameAndSignature(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := queueConfirmation(t, e.db, "zoe@customer.test")
		var ticketID int64
		if err := e.db.X.Get(&ticketID, e.db.X.Rebind(`SELECT ticket_id FROM emails WHERE id = ?`), id); err != nil {
			t.Fatal(err)
		}
		mia, err := e.db.EnsureUser(ctx, "mia.private@staff.test", "Mia Jensen", "staff")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.SaveStaffProfile(ctx, mia.ID, "Mia", "Mia Jensen\nPrinter whisperer <3 & more"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.AddStaffReply(ctx, store.StaffReply{TicketID: ticketID, AuthorID: mia.ID, Text: "Try turning it off."}); err != nil {
			t.Fatal(err)
		}
		var reply int64
		if err := e.db.X.Get(&reply, e.db.X.Rebind(`SELECT id FROM emails WHERE kind = 'reply' AND to_email = ?`), "zoe@customer.test"); err != nil {
			t.Fatal(err)
		}
		if err := e.handlers.HandleEmailSend(ctx, sendTask(t, reply)); err != nil {
			t.Fatalf("HandleEmailSend = %v", err)
		}
		if c := e.sender.count(); c != 1 {
			t.Fatalf("sender called %d times", c)
		}
		raw := e.sender.calls[0].Raw
		if e.sender.calls[0].From != "support@acme.test" {
			t.Errorf("envelope from = %q, want the desk's", e.sender.calls[0].From)
		}
		if bytes.Contains(raw, []byte("mia.private")) {
			t.Error("the staff member's own address is in the mail")
		}
		msg, err := message.Read(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		from, err := (&mail.Header{Header: msg.Header}).AddressList("From")
		if err != nil || len(from) != 1 {
			t.Fatalf("From = %v (%v)", from, err)
		}
		if from[0].Name != "Mia from Acme Support" || from[0].Address != "support@acme.test" {
			t.Errorf("From = %q <%s>, want \"Mia from Acme Support\" <support@acme.test>", from[0].Name, from[0].Address)
		}
		bodies := map[string]string{}
		err = msg.Walk(func(_ []int, p *message.Entity, err error) error {
			if err != nil {
				return err
			}
			typ, _, _ := p.Header.ContentType()
			if !strings.HasPrefix(typ, "multipart/") {
				b, err := io.ReadAll(p.Body)
				bodies[typ] = string(b)
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(bodies["text/plain"], "\r\n", "\n")
		if !strings.HasPrefix(text, "Try turning it off.\n\nMia Jensen\nPrinter whisperer <3 & more\n\nReply to this mail") {
			t.Errorf("text part: the reply does not end with the signature:\n%s", text)
		}
		html := bodies["text/html"]
		want := `<p>Try turning it off.</p>

<div class="signature" style="color:#444"><p>Mia Jensen<br>
Printer whisperer &lt;3 &amp; more</p>
</div>`
		if !strings.Contains(strings.ReplaceAll(html, "\r\n", "\n"), want) {
			t.Errorf("html part: the reply does not end with the escaped signature:\n%s", html)
		}
	})
}
