package outbound

import (
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/store"
)

// TestBuildAutocloseWarning: the warning says when the request closes
// (DARGO_AUTOCLOSE_WARN_HOURS, as days when whole), threads into the
// ticket and is automatic mail.
func TestBuildAutocloseWarning(t *testing.T) {
	cases := []struct {
		warn time.Duration
		want string
	}{
		{0, "in 2 days"},
		{48 * time.Hour, "in 2 days"},
		{24 * time.Hour, "in 1 day"},
		{12 * time.Hour, "in 12 hours"},
		{time.Hour, "in 1 hour"},
	}
	for _, c := range cases {
		o := testOutgoing(store.EmailAutocloseWarning)
		o.Message, o.Attachments, o.History = nil, nil, nil
		opts := testOpts()
		opts.AutocloseWarn = c.warn
		m, err := Build(o, opts)
		if err != nil {
			t.Fatal(err)
		}
		if want := "This request will close " + c.want + " unless you reply [#42] Printer <broken>"; m.Subject != want {
			t.Errorf("subject %q, want %q", m.Subject, want)
		}
		if !strings.Contains(m.Text, "This request will close "+c.want+" unless you reply.") || !strings.Contains(m.HTML, "close "+c.want+" unless") {
			t.Errorf("%v: body lacks %q:\n%s", c.warn, c.want, m.Text)
		}
		if !m.Auto || m.InReplyTo != "cust-1@example.org" {
			t.Errorf("auto %v, in-reply-to %q", m.Auto, m.InReplyTo)
		}
	}
}
