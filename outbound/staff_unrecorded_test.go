package outbound

import (
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/store"
)

// testUnrecorded is the notice to Mia (staff, id 3) that her answer to a
// digest was not recorded.
func testUnrecorded() *store.Outgoing {
	o, _ := testNotice()
	o.Email.Kind, o.Email.TicketID, o.Ticket = store.EmailStaffUnrecorded, nil, nil
	o.Email.Subject = "Re: News on <3> tickets"
	return o
}

func TestBuildStaffUnrecorded(t *testing.T) {
	o := testUnrecorded()
	m, err := BuildStaffUnrecorded(o, staffOpts())
	if err != nil {
		t.Fatal(err)
	}
	if m.To.Email != "mia@acme.test" || m.From.Name != "Acme Support notifications" || !m.Auto || m.Ticket != 0 {
		t.Errorf("To %+v, From %+v, Auto %v, Ticket %d", m.To, m.From, m.Auto, m.Ticket)
	}
	if m.Subject != "Your answer to a digest was not recorded" {
		t.Errorf("Subject %q", m.Subject)
	}
	// An answer to the notice goes where an answer to the digest went: nowhere.
	if num, staff, ok := replyaddr.ParseStaff("secret", "acme.test", m.ReplyTo); !ok || num != 0 || staff != 3 {
		t.Errorf("Reply-To %q parses as %d, %d, %v; want ticket 0, mia", m.ReplyTo, num, staff, ok)
	}
	want := "Your answer to the digest 'Re: News on <3> tickets' was not recorded and nothing was sent: " +
		"a digest lists several tickets, so an answer to it cannot say which one it is for.\n\n" +
		"Your text is still in your Sent folder: send it to the ticket's own address from the digest (\"Answer by mail\"), " +
		"or answer in the inbox: https://help.acme.test/inbox."
	if !strings.Contains(m.Text, want) || !strings.HasPrefix(m.Text, "Hi Mia,") {
		t.Errorf("text lacks\n%s\n---\n%s", want, m.Text)
	}
	for _, want := range []string{"&lsquo;Re: News on &lt;3&gt; tickets&rsquo; was not recorded and nothing was sent", `<a href="https://help.acme.test/inbox">`} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	if _, err := Compose(m); err != nil {
		t.Fatal(err)
	}
	// Never to customers, nor without a staff reply address.
	o.User = &store.User{ID: 1, Email: "ana@example.org", Role: "customer"}
	if _, err := BuildStaffUnrecorded(o, staffOpts()); err == nil {
		t.Error("the notice was built for a customer")
	}
	if _, err := BuildStaffUnrecorded(testUnrecorded(), testOpts()); err == nil {
		t.Error("the notice was built without a staff reply address")
	}
}
