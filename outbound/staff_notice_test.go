package outbound

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/store"
)

func staffOpts() Opts {
	o := testOpts()
	o.StaffReplyTo = func(n, staff int64) string { return replyaddr.StaffAddr("secret", "support", "acme.test", n, staff) }
	return o
}

// testNotice is a notice to Mia (staff, id 3) about ticket #12 with one
// event of each kind.
func testNotice() (*store.Outgoing, *store.StaffNotice) {
	mia := store.User{ID: 3, Email: "mia@acme.test", Name: "Mia", Role: store.RoleStaff}
	ana := store.User{ID: 1, Email: "ana@example.org", Name: "Ana <Admin>"}
	tom := store.User{ID: 4, Email: "tom@acme.test", Name: "Tom", Role: store.RoleStaff}
	uid := mia.ID
	o := &store.Outgoing{
		Email:  store.Email{ID: 77, UserID: &uid, ToEmail: mia.Email, Kind: store.EmailStaffNotice, Subject: "Printer <broken>"},
		User:   &mia,
		Ticket: &store.Ticket{ID: 9, Number: 12, Subject: "Printer <broken>", CustomerID: ana.ID, Category: "privacy"},
	}
	due := time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC).Format(time.RFC3339)
	ev := func(kind string) store.StaffEvent { return store.StaffEvent{Kind: kind, UserID: mia.ID, TicketID: 9} }
	n := &store.StaffNotice{
		Items: []store.NoticeItem{
			{StaffEvent: ev(store.NoticeNewTicket), Actor: &ana, Author: &ana,
				Message: &store.Message{Kind: "inbound", Text: "It <jams>.\n> old quote", VisibleText: "It <jams>.", SenderAuth: store.SenderVerified},
				Files:   []store.Attachment{{Filename: "photo.jpg"}, {Filename: "logo.png", Inline: true}}},
			{StaffEvent: ev(store.NoticeCustomerReply), Actor: &ana, Author: &ana, Message: &store.Message{Kind: "inbound", Text: "Still jams & smokes.", SenderAuth: store.SenderVerified}},
			{StaffEvent: ev(store.NoticeAssigned), Actor: &tom},
			{StaffEvent: ev(store.NoticeMention), Actor: &tom, Author: &tom, Message: &store.Message{Kind: "note", Text: "@mia she is a VIP, refund her"}},
			{StaffEvent: store.StaffEvent{Kind: store.NoticePrivacyDue, Detail: due}},
			{StaffEvent: store.StaffEvent{Kind: store.NoticeHeld, Detail: "the sender could not be verified"}, Author: &mia,
				Message: &store.Message{Kind: "note", Flag: store.FlagHeld, Text: "#resolve\nDone."}},
		},
		Customer:     &ana,
		Participants: []store.Participant{{UserID: 1, Email: ana.Email, Name: ana.Name, Role: "customer"}, {UserID: 5, Email: "bob@example.org", Name: "Bob", Role: "cc"}},
		Followers:    []store.User{mia, tom},
		Assignee:     &mia,
		Earlier:      []string{"first@acme.test", "second@acme.test"},
	}
	return o, n
}

func TestBuildStaffNotice(t *testing.T) {
	o, n := testNotice()
	m, err := BuildStaffNotice(o, n, staffOpts())
	if err != nil {
		t.Fatal(err)
	}
	if m.To.Email != "mia@acme.test" || m.From.Email != "support@acme.test" || m.From.Name != "Acme Support notifications" {
		t.Errorf("From %+v, To %+v", m.From, m.To)
	}
	if num, staff, ok := replyaddr.ParseStaff("secret", "acme.test", m.ReplyTo); !ok || num != 12 || staff != 3 {
		t.Errorf("Reply-To %q parses as %d, %d, %v", m.ReplyTo, num, staff, ok)
	}
	if !m.Auto || m.Ticket != 12 || m.Subject != "Printer <broken>" {
		t.Errorf("Auto %v, Ticket %d, Subject %q", m.Auto, m.Ticket, m.Subject)
	}
	root := "ticket-12.staff-3@acme.test"
	if want := []string{root, "first@acme.test", "second@acme.test"}; fmt.Sprint(m.References) != fmt.Sprint(want) || m.InReplyTo != "second@acme.test" {
		t.Errorf("References %v, In-Reply-To %q", m.References, m.InReplyTo)
	}
	for _, want := range []string{
		"New ticket from Ana <Admin> <ana@example.org>", "It <jams>.", "Files: photo.jpg\n",
		"Ana <Admin> wrote:", "Still jams & smokes.",
		"Tom assigned #12 to you",
		"Tom mentioned you in a note:\n", "@mia she is a VIP, refund her",
		"Privacy request due Sun, 20 Dec 2026 09:00 UTC",
		"Your answer by mail was held: the sender could not be verified. It was not sent; it is on the ticket as a note.",
		"Customer: Ana <Admin> <ana@example.org>", "Cc: Bob <bob@example.org>", "Assigned to: you", "Following: you, Tom <tom@acme.test>",
		"https://help.acme.test/inbox/tickets/12", "#note", "#resolve", "#pending", "#assign me", "#assign @name", "#priority high",
		"low, normal, high or urgent", "case-insensitive", "nothing is sent", "Change which notices you get: https://help.acme.test/account",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	for _, bad := range []string{"old quote", "logo.png"} {
		if strings.Contains(m.Text, bad) {
			t.Errorf("text has %q:\n%s", bad, m.Text)
		}
	}
	for _, want := range []string{"Ana &lt;Admin&gt; &lt;ana@example.org&gt;", "It &lt;jams&gt;.", "Still jams &amp; smokes.",
		`href="https://help.acme.test/inbox/tickets/12"`, `href="https://help.acme.test/account"`, "<code>#priority high</code>"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("html lacks %q:\n%s", want, m.HTML)
		}
	}
	if strings.Contains(m.HTML, "<jams>") || strings.Contains(m.HTML, "<Admin>") {
		t.Errorf("html has unescaped text:\n%s", m.HTML)
	}
	raw, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, raw)
	if s, _ := p.header.Subject(); s != "[#12] Printer <broken>" {
		t.Errorf("Subject %q", s)
	}
	if got := p.header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted %q", got)
	}
	if refs, _ := p.header.MsgIDList("References"); len(refs) == 0 || refs[0] != root {
		t.Errorf("References %v", refs)
	}
}

// TestStaffNoticeThreadsFromTheFirst: a first notice already refers to the
// root every later one names, so a client threads the two.
func TestStaffNoticeThreadsFromTheFirst(t *testing.T) {
	o, n := testNotice()
	n.Earlier = nil
	m, err := BuildStaffNotice(o, n, staffOpts())
	if err != nil {
		t.Fatal(err)
	}
	if m.InReplyTo != "ticket-12.staff-3@acme.test" || len(m.References) != 1 || m.References[0] != m.InReplyTo {
		t.Errorf("first notice: In-Reply-To %q, References %v", m.InReplyTo, m.References)
	}
	n.Earlier = []string{m.MessageID}
	next, err := BuildStaffNotice(o, n, staffOpts())
	if err != nil {
		t.Fatal(err)
	}
	if next.Subject != m.Subject || next.InReplyTo != m.MessageID || next.References[0] != m.References[0] {
		t.Errorf("second notice: Subject %q, In-Reply-To %q, References %v", next.Subject, next.InReplyTo, next.References)
	}
}

func TestStaffNoticeRefusesNonStaff(t *testing.T) {
	for _, role := range []string{store.RoleCustomer, ""} {
		o, n := testNotice()
		o.User.Role = role
		if _, err := BuildStaffNotice(o, n, staffOpts()); err == nil {
			t.Errorf("a notice was built for a %q", role)
		}
	}
	o, n := testNotice()
	if _, err := BuildStaffNotice(o, n, testOpts()); err == nil {
		t.Error("a notice was built without a staff reply address")
	}
}

func TestStaffNoticeKeepsTheNewestItems(t *testing.T) {
	o, n := testNotice()
	ana := n.Customer
	n.Items = nil
	for i := range maxNoticeItems + 5 {
		n.Items = append(n.Items, store.NoticeItem{StaffEvent: store.StaffEvent{Kind: store.NoticeCustomerReply}, Author: ana,
			Message: &store.Message{Kind: "inbound", Text: fmt.Sprintf("mail number %d.", i)}})
	}
	m, err := BuildStaffNotice(o, n, staffOpts())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "And 5 earlier on the ticket.") || strings.Contains(m.Text, "mail number 4.") ||
		!strings.Contains(m.Text, fmt.Sprintf("mail number %d.", maxNoticeItems+4)) {
		t.Errorf("text:\n%s", m.Text)
	}
}

// TestBuildStaffNoticeUnverifiedSender: a customer's mail whose sender was
// not proven says so in its heading, in text and HTML; a proven one and a
// staff note do not.
func TestBuildStaffNoticeUnverifiedSender(t *testing.T) {
	o, n := testNotice()
	n.Items[0].Message.SenderAuth = store.SenderUnverified
	n.Items[1].Message.SenderAuth = ""                     // no result at all is not verified either
	n.Items[3].Message.SenderAuth = store.SenderUnverified // a note: never marked
	m, err := BuildStaffNotice(o, n, staffOpts())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"New ticket from Ana <Admin> <ana@example.org> (sender not verified)\n", "Ana <Admin> wrote (sender not verified):\n"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	for _, want := range []string{"New ticket from Ana &lt;Admin&gt; &lt;ana@example.org&gt; (sender not verified)", "Ana &lt;Admin&gt; wrote (sender not verified):"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	if c := strings.Count(m.Text, "(sender not verified)"); c != 2 {
		t.Errorf("%d headings marked, want 2:\n%s", c, m.Text)
	}
	// The digest's sections say it too.
	o, n = testDigest()
	n.Items[1].Message.SenderAuth = store.SenderVerified
	d, err := BuildStaffDigest(o, n, staffOpts())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Text, "New ticket from Ana <Admin> <ana@example.org> (sender not verified)") ||
		!strings.Contains(d.Text, "New ticket from Ana <Admin> <ana@example.org>\n") {
		t.Errorf("digest does not mark only the unverified mail:\n%s", d.Text)
	}
}
