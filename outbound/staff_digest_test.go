package outbound

import (
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/store"
)

// testDigest is a digest to mia about two tickets: news on #12, then #13,
// then #12 again.
func testDigest() (*store.Outgoing, *store.StaffNotice) {
	o, n := testNotice()
	o.Email.Kind, o.Email.TicketID, o.Ticket = store.EmailStaffDigest, nil, nil
	t12 := &store.Ticket{ID: 9, Number: 12, Subject: "Printer <broken>"}
	t13 := &store.Ticket{ID: 10, Number: 13, Subject: "Invoice missing"}
	ana := n.Customer
	items := []store.NoticeItem{
		{StaffEvent: store.StaffEvent{Kind: store.NoticeNewTicket, TicketID: 9}, Ticket: t12, Author: ana,
			Message: &store.Message{Kind: "inbound", VisibleText: "It <jams>."}},
		{StaffEvent: store.StaffEvent{Kind: store.NoticeNewTicket, TicketID: 10}, Ticket: t13, Author: ana,
			Message: &store.Message{Kind: "inbound", VisibleText: "Where is my invoice?"}},
		{StaffEvent: store.StaffEvent{Kind: store.NoticeCustomerReply, TicketID: 9}, Ticket: t12, Author: ana,
			Message: &store.Message{Kind: "inbound", VisibleText: "Still jams."}},
	}
	return o, &store.StaffNotice{Items: items}
}

func TestBuildStaffDigest(t *testing.T) {
	o, n := testDigest()
	m, err := BuildStaffDigest(o, n, staffOpts())
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "News on 2 tickets" || m.Ticket != 0 || !m.Auto {
		t.Errorf("Subject %q, Ticket %d, Auto %v", m.Subject, m.Ticket, m.Auto)
	}
	// An answer to the digest itself goes to the address of no ticket.
	if num, staff, ok := replyaddr.ParseStaff("secret", "acme.test", m.ReplyTo); !ok || num != 0 || staff != 3 {
		t.Errorf("Reply-To %q parses as %d, %d, %v; want ticket 0, mia", m.ReplyTo, num, staff, ok)
	}
	// Each ticket once, in the order its news came, with its own answer address.
	i12, i13 := strings.Index(m.Text, "== #12 Printer <broken>"), strings.Index(m.Text, "== #13 Invoice missing")
	if i12 < 0 || i13 < i12 || strings.Count(m.Text, "== #12") != 1 {
		t.Fatalf("tickets not listed once each in order:\n%s", m.Text)
	}
	part12 := m.Text[i12:i13]
	for _, want := range []string{"It <jams>.", "Still jams.", "https://help.acme.test/inbox/tickets/12"} {
		if !strings.Contains(part12, want) {
			t.Errorf("#12's part lacks %q:\n%s", want, part12)
		}
	}
	for _, num := range []int64{12, 13} {
		addr := replyaddr.StaffAddr("secret", "support", "acme.test", num, 3)
		if !strings.Contains(m.Text, "Answer by mail: "+addr) || !strings.Contains(m.HTML, `href="mailto:`+strings.ReplaceAll(addr, "+", "&#43;")+`"`) {
			t.Errorf("digest lacks #%d's answer address %s", num, addr)
		}
	}
	if strings.Contains(m.HTML, "<jams>") || !strings.Contains(m.HTML, "It &lt;jams&gt;.") {
		t.Errorf("HTML not escaped:\n%s", m.HTML)
	}
	if !strings.Contains(m.Text, "an answer to this digest is not recorded") {
		t.Errorf("the digest does not say where to answer:\n%s", m.Text)
	}
	if _, err := Compose(m); err != nil {
		t.Fatal(err)
	}
	// Never to customers.
	o.User = &store.User{ID: 1, Email: "ana@example.org", Role: "customer"}
	if _, err := BuildStaffDigest(o, n, staffOpts()); err == nil {
		t.Error("a digest was built for a customer")
	}
}

// TestBuildStaffDigestOneTicket: a digest that covers a single ticket
// answers to that ticket's own staff address, so an answer is recorded.
func TestBuildStaffDigestOneTicket(t *testing.T) {
	o, n := testDigest()
	n.Items = []store.NoticeItem{n.Items[0], n.Items[2]} // #12 only
	m, err := BuildStaffDigest(o, n, staffOpts())
	if err != nil {
		t.Fatal(err)
	}
	if num, staff, ok := replyaddr.ParseStaff("secret", "acme.test", m.ReplyTo); !ok || num != 12 || staff != 3 {
		t.Errorf("Reply-To %q parses as %d, %d, %v; want ticket 12, mia", m.ReplyTo, num, staff, ok)
	}
	if m.Subject != "News on #12: Printer <broken>" {
		t.Errorf("Subject %q", m.Subject)
	}
	for _, body := range []string{m.Text, m.HTML} {
		if strings.Contains(body, "not recorded") || !strings.Contains(body, "To answer #12 by mail, answer this mail.") {
			t.Errorf("a one-ticket digest says its answer is lost, or not where to answer:\n%s", body)
		}
	}
	if _, err := Compose(m); err != nil {
		t.Fatal(err)
	}
}
