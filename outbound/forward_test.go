package outbound

import (
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/store"
)

// testForward is the forward (id 7) of the reply in testOutgoing to a
// third party, with a note.
func testForward() *store.Outgoing {
	o := testOutgoing(store.EmailForward)
	o.Email.ToEmail, o.Email.UserID, o.User = "parts@supplier.test", nil, nil
	o.Forward = &store.Forward{ID: 7, TicketID: 9, ToEmail: "parts@supplier.test", Note: "Can you ship a new fuser?"}
	return o
}

// A forward's mail: the note, then the message and its files; Reply-To is
// the forward's own address, not the ticket's; it carries none of the
// ticket's thread ids and none of its history.
func TestBuildForward(t *testing.T) {
	m, err := Build(testForward(), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if want := replyaddr.ForwardAddr("secret", "support", "acme.test", 42, 7); m.ReplyTo != want {
		t.Errorf("Reply-To %q, want %q", m.ReplyTo, want)
	}
	if m.Subject != "Fwd: [#42] Printer <broken>" || m.Ticket != 42 {
		t.Errorf("subject %q ticket %d", m.Subject, m.Ticket)
	}
	if m.InReplyTo != "" || len(m.References) != 0 {
		t.Errorf("thread ids leaked: %q %q", m.InReplyTo, m.References)
	}
	for _, want := range []string{"Can you ship a new fuser?", "> please try <b>this</b> & that.", "Attached: fix.pdf", "seen by the support team only"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "It still jams") {
		t.Error("the forward quotes the ticket's history")
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "fix.pdf" {
		t.Errorf("attachments %+v", m.Attachments)
	}
	if _, err := Compose(m); err != nil {
		t.Fatal(err)
	}
	o := testForward()
	o.Forward = nil
	if _, err := Build(o, testOpts()); err == nil {
		t.Error("a forward mail without its forward built")
	}
}
