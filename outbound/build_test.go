package outbound

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/store"
)

func testOpts() Opts {
	return Opts{
		From:       Address{Name: "Acme Support", Email: "support@acme.test"},
		BaseURL:    "https://help.acme.test/",
		MailDomain: "acme.test",
		ReplyTo: func(n int64) string {
			return replyaddr.Addr("secret", "support", "acme.test", n)
		},
		ForwardReplyTo: func(n, id int64) string {
			return replyaddr.ForwardAddr("secret", "support", "acme.test", n, id)
		},
	}
}

func testOutgoing(kind string) *store.Outgoing {
	customer, staff := int64(1), int64(2)
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	return &store.Outgoing{
		Email:  store.Email{ID: 5, UserID: &customer, ToEmail: "zoe@example.org", Kind: kind, Subject: "Printer <broken>"},
		User:   &store.User{ID: customer, Email: "zoe@example.org", Name: "Zoë Müller"},
		Ticket: &store.Ticket{ID: 9, Number: 42, Subject: "Printer <broken>", Status: "resolved"},
		Message: &store.Message{ID: 30, Kind: "outbound", AuthorID: &staff,
			Text: "Hi Zoë,\n\nplease try <b>this</b> & that.\nThanks", CreatedAt: t0.Add(2 * time.Hour)},
		Attachments: []store.File{{Attachment: store.Attachment{Filename: "fix.pdf", ContentType: "application/pdf"}, Data: []byte("%PDF-1.4")}},
		History: []store.Message{
			{ID: 20, Kind: "inbound", AuthorID: &customer, VisibleText: "It still jams.\n> old quote", Text: "It still jams.", CreatedAt: t0.Add(time.Hour)},
			{ID: 10, Kind: "outbound", AuthorID: &staff, Text: "Did you try turning it off?", CreatedAt: t0},
		},
		ThreadIDs: []string{"cust-1@example.org", "0100@amazonses.com"},
		InReplyTo: "cust-1@example.org",
	}
}

func TestBuildConfirmation(t *testing.T) {
	o := testOutgoing(store.EmailConfirmation)
	o.Message, o.Attachments, o.History = nil, nil, nil
	m, err := Build(o, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	checkCommon(t, m, o)
	if !m.Auto {
		t.Error("confirmation is not Auto")
	}
	if m.Subject != "We received your request [#42] Printer <broken>" {
		t.Errorf("Subject = %q", m.Subject)
	}
	for _, want := range []string{"Hi Zoë,", "#42", "https://help.acme.test/tickets/42", "reply to this mail"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	for _, want := range []string{`href="https://help.acme.test/tickets/42"`, "Printer &lt;broken&gt;", "#42"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("html lacks %q:\n%s", want, m.HTML)
		}
	}
	if strings.Contains(m.HTML, "<broken>") {
		t.Errorf("subject not escaped in html")
	}
	raw, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	h := parse(t, raw).header
	if s, _ := h.Subject(); s != "We received your request [#42] Printer <broken>" {
		t.Errorf("composed Subject = %q (tagged twice?)", s)
	}
}

func TestBuildReply(t *testing.T) {
	o := testOutgoing(store.EmailReply)
	m, err := Build(o, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	checkCommon(t, m, o)
	if m.Auto {
		t.Error("a staff reply is Auto")
	}
	if !strings.HasPrefix(m.Text, "Hi Zoë,") {
		t.Errorf("a staff reply gets a greeting of ours:\n%s", m.Text)
	}
	if m.Subject != "Re: Printer <broken>" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "fix.pdf" || !bytes.Equal(m.Attachments[0].Data, []byte("%PDF-1.4")) {
		t.Errorf("attachments = %+v", m.Attachments)
	}
	for _, want := range []string{
		"please try <b>this</b> & that.\nThanks",
		"Attached: fix.pdf",
		"wrote:\n> It still jams.\n>> old quote",
		"Acme Support wrote:\n> Did you try turning it off?",
		"Fri, 20 Nov 2026 10:00 UTC, you wrote:",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Index(m.Text, "It still jams") > strings.Index(m.Text, "turning it off") {
		t.Error("history is not newest first")
	}
	for _, want := range []string{
		"please try &lt;b&gt;this&lt;/b&gt; &amp; that.<br>\nThanks",
		"<blockquote", "<p>It still jams.<br>\n&gt; old quote</p>",
	} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("html lacks %q:\n%s", want, m.HTML)
		}
	}
	if strings.Contains(m.HTML, "<b>this") {
		t.Error("reply text not escaped in html")
	}
	raw, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, raw)
	if s, _ := p.header.Subject(); s != "Re: [#42] Printer <broken>" {
		t.Errorf("composed Subject = %q", s)
	}
	if p.header.Has("Auto-Submitted") {
		t.Error("staff reply carries Auto-Submitted")
	}
	if got := p.find(t, "application/pdf"); string(got.body) != "%PDF-1.4" {
		t.Errorf("attachment body = %q", got.body)
	}
}

func TestBuildStatus(t *testing.T) {
	for _, status := range []string{"resolved", "closed"} {
		o := testOutgoing(store.EmailStatus)
		o.Message, o.Attachments, o.History = nil, nil, nil
		o.Ticket.Status = status
		m, err := Build(o, testOpts())
		if err != nil {
			t.Fatal(err)
		}
		checkCommon(t, m, o)
		if !m.Auto {
			t.Error("status mail is not Auto")
		}
		if want := "Your request [#42] was " + status + ": Printer <broken>"; m.Subject != want {
			t.Errorf("Subject = %q, want %q", m.Subject, want)
		}
		for _, want := range []string{"was " + status, "reply to this mail and the request reopens", "/tickets/42"} {
			if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
				t.Errorf("text or html lacks %q:\n%s\n%s", want, m.Text, m.HTML)
			}
		}
	}
}

func TestBuildMagicLink(t *testing.T) {
	link := "https://help.acme.test/login?token=abc&x=1"
	m, err := BuildMagicLink(Address{Name: "Zoë", Email: "zoe@example.org"}, link, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if !m.Auto || m.Ticket != 0 || m.ReplyTo != "" || m.InReplyTo != "" || len(m.References) != 0 {
		t.Errorf("magic link mail = %+v", m)
	}
	if !strings.HasSuffix(m.MessageID, "@acme.test") || m.To.Email != "zoe@example.org" || m.From.Email != "support@acme.test" {
		t.Errorf("addresses or id: %+v", m)
	}
	for _, want := range []string{link, "15 minutes", "works once", "didn't ask"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.HTML, `href="https://help.acme.test/login?token=abc&amp;x=1"`) {
		t.Errorf("html link:\n%s", m.HTML)
	}
	raw, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	h := parse(t, raw).header
	if h.Get("Auto-Submitted") != "auto-generated" || h.Has("Reply-To") {
		t.Errorf("headers: %v", h.Map())
	}
	for _, bad := range []string{"javascript:alert(1)", "/relative", "", "ftp://x.test/"} {
		if _, err := BuildMagicLink(Address{Email: "zoe@example.org"}, bad, testOpts()); err == nil {
			t.Errorf("BuildMagicLink accepted %q", bad)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name string
		o    *store.Outgoing
	}{
		{"unknown kind", testOutgoing("newsletter")},
		{"magic link through Build", testOutgoing(store.EmailMagicLink)},
		{"no ticket", func() *store.Outgoing { o := testOutgoing(store.EmailConfirmation); o.Ticket = nil; return o }()},
		{"reply without message", func() *store.Outgoing { o := testOutgoing(store.EmailReply); o.Message = nil; return o }()},
	}
	for _, tt := range tests {
		if m, err := Build(tt.o, testOpts()); err == nil {
			t.Errorf("%s: Build = %+v, want an error", tt.name, m)
		}
	}
}

func TestBuildUnknownUser(t *testing.T) {
	o := testOutgoing(store.EmailConfirmation)
	o.User = nil
	m, err := Build(o, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if m.To.Name != "" || !strings.HasPrefix(m.Text, "Hello,\n") {
		t.Errorf("To = %+v, text:\n%s", m.To, m.Text)
	}
}

// checkCommon checks what every ticket mail carries.
func checkCommon(t *testing.T, m *Mail, o *store.Outgoing) {
	t.Helper()
	if m.To != (Address{Name: "Zoë Müller", Email: "zoe@example.org"}) {
		t.Errorf("To = %+v", m.To)
	}
	if m.From != testOpts().From {
		t.Errorf("From = %+v", m.From)
	}
	if m.Ticket != 42 {
		t.Errorf("Ticket = %d", m.Ticket)
	}
	if n, ok := replyaddr.Parse("secret", "acme.test", m.ReplyTo); !ok || n != 42 {
		t.Errorf("ReplyTo = %q", m.ReplyTo)
	}
	if m.InReplyTo != o.InReplyTo || !slices.Equal(m.References, o.ThreadIDs) {
		t.Errorf("threading = %q %v", m.InReplyTo, m.References)
	}
	if !strings.HasSuffix(m.MessageID, "@acme.test") || time.Since(m.Date) > time.Minute {
		t.Errorf("MessageID %q Date %v", m.MessageID, m.Date)
	}
	if !strings.Contains(m.Text, "Acme Support") || !strings.Contains(m.HTML, "</html>") {
		t.Errorf("layout missing:\n%s\n%s", m.Text, m.HTML)
	}
}

// TestBuildAddressChangeNotice: the notice to an old address names the new
// one masked, carries the undo link for 7 days, and greets nobody by a
// name the person who changed the address may have chosen.
func TestBuildAddressChangeNotice(t *testing.T) {
	link := "https://help.acme.test/account/email/undo?token=abc"
	m, err := BuildLinkMail(Address{Name: "Click the link now", Email: "ada@example.com"}, link, "thief@evil.test", "", testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Your address was changed" || !m.Auto || m.To.Email != "ada@example.com" {
		t.Errorf("notice = %+v", m)
	}
	for _, part := range []string{m.Text, m.HTML} {
		for _, want := range []string{"t***@evil.test", "7 days", "Not you?", "abc"} {
			if !strings.Contains(part, want) {
				t.Errorf("notice lacks %q:\n%s", want, part)
			}
		}
		for _, bad := range []string{"thief@", "Click the link now", "15 minutes"} {
			if strings.Contains(part, bad) {
				t.Errorf("notice holds %q:\n%s", bad, part)
			}
		}
	}
	if _, err := BuildLinkMail(Address{Email: "ada@example.com"}, link, "", "", testOpts()); err == nil {
		t.Error("a notice without the new address was built")
	}
}
