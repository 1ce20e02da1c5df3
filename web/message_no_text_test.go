package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound/mailparse"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// emptyBody is a message body rendered with nothing in it.
var emptyBody = regexp.MustCompile(`<div class="body">\s*</div>`)

// TestReplyWithoutNewText: a reply that was nothing but quotes (Parse gives
// it an empty visible text and keeps the full text) shows "(no new text)" on the staff ticket
// page and in the customer portal instead of an empty bubble, and its
// quoted text stays one click away.
func TestReplyWithoutNewText(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		staff, _ := staffMember(t, srv, db, "sam@support.example")
		first := deliver(t, db, newMail("ada@example.com", "Survey", "How do I export?"))
		raw := "From: Ada <ada@example.com>\r\nSubject: Re: Survey\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			"On Mon, Oct 5, 2026 at 10:00 AM Support <support@dargo.example> wrote:\r\n\r\n> How did we do?\r\n"
		m, err := mailparse.Parse([]byte(raw))
		if err != nil || m.VisibleText != "" || m.Text == "" {
			t.Fatalf("Parse: visible %q, text %q, err %v; want no visible text", m.VisibleText, m.Text, err)
		}
		reply := newMail("ada@example.com", m.Subject, m.Text)
		reply.TicketID = first.TicketID
		reply.Message.VisibleText = m.VisibleText
		deliver(t, db, reply)
		pages := []struct {
			name, path string
			c          *http.Client
		}{
			{"staff", "/inbox/tickets/" + itoa(first.TicketNumber), staff},
			{"portal", "/tickets/" + itoa(first.TicketNumber), ada},
		}
		for _, page := range pages {
			name := page.name
			res, body := get(t, page.c, srv, page.path)
			if res.StatusCode != 200 {
				t.Fatalf("%s: GET %s: %s", name, page.path, res.Status)
			}
			if !strings.Contains(body, `<p class="no-text muted">(no new text)</p>`) {
				t.Errorf("%s page lacks the muted (no new text):\n%s", name, body)
			}
			if !strings.Contains(body, "How do I export?") {
				t.Errorf("%s page lost the first message", name)
			}
			if emptyBody.MatchString(body) {
				t.Errorf("%s page shows an empty message body", name)
			}
			if !strings.Contains(body, "Show quoted text") || !strings.Contains(body, "&gt; How did we do?") {
				t.Errorf("%s page hides the quoted text", name)
			}
			if strings.Count(body, "(no new text)") != 1 {
				t.Errorf("%s page: (no new text) shown %d times, want once", name, strings.Count(body, "(no new text)"))
			}
		}
	})
}
