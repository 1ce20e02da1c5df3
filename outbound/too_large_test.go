package outbound

import (
	"strings"
	"testing"
)

// The too-large notice says, politely, that the mail was not delivered and
// what the limit is; it is automatic mail, and it needs a limit to say.
func TestBuildTooLarge(t *testing.T) {
	opts := testOpts()
	opts.MailLimit = 25 << 20
	m, err := BuildTooLarge(Address{Name: "Ada", Email: "ada@example.com"}, "Holiday photos", opts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Your message was not delivered: it is larger than 25 MB" || !m.Auto {
		t.Errorf("subject %q, auto %v", m.Subject, m.Auto)
	}
	for _, want := range []string{"Hi Ada,", `("Holiday photos") was not delivered because it is larger than 25 MB`, "at most one a day"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	opts.MailLimit = 0
	if _, err := BuildTooLarge(Address{Email: "ada@example.com"}, "", opts); err == nil {
		t.Error("built a notice without a limit")
	}
	for n, want := range map[int64]string{40 << 20: "40 MB", 2621440: "2.5 MB", 2000: "1 KB", 100: "100 bytes"} {
		if got := sizeWords(n); got != want {
			t.Errorf("sizeWords(%d) = %q, want %q", n, got, want)
		}
	}
}
