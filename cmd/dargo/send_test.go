package main

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound/mailparse"
)

// TestComposeCustomerMail: what `dargo send` mails reads as a person's mail,
// not as automatic mail (which would not open a ticket).
func TestComposeCustomerMail(t *testing.T) {
	from := &mail.Address{Name: "Jürgen Müller", Address: "juergen@example.de"}
	to := &mail.Address{Address: "support+1-abc@help.example.com"}
	raw := composeCustomerMail(from, to, "Re: Drucker \r\nBcc: x@evil.test", "abc@help.example.com", "Noch kaputt.\nGrüße")
	m, err := mailparse.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Email != "juergen@example.de" || m.From.Name != "Jürgen Müller" {
		t.Errorf("From = %+v", m.From)
	}
	if !strings.HasPrefix(m.Subject, "Re: Drucker") || !strings.HasSuffix(m.Subject, "Bcc: x@evil.test") || strings.Contains(string(raw), "\nBcc:") {
		t.Errorf("Subject = %q (header injection?)", m.Subject)
	}
	if len(m.InReplyTo) != 1 || m.InReplyTo[0] != "abc@help.example.com" {
		t.Errorf("In-Reply-To = %v", m.InReplyTo)
	}
	if m.Text != "Noch kaputt.\nGrüße" && m.Text != "Noch kaputt.\nGrüße\n" {
		t.Errorf("Text = %q", m.Text)
	}
	for _, h := range []string{"Auto-Submitted", "X-Auto-Response-Suppress", "Precedence"} {
		if strings.Contains(string(raw), h+":") {
			t.Errorf("mail carries %s", h)
		}
	}
}
