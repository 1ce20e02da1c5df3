package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// Staff open a ticket by writing to a customer: the inbox links to the
// form, a problem keeps everything typed (files staged), a staff address
// is refused, a customer and a cross-site post get nowhere, and the ticket
// page says the mail was queued.
func TestInboxStartTicket(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		c, sam := staffMember(t, srv, db, "sam@support.example")
		_, body := get(t, c, srv, "/inbox")
		if !strings.Contains(body, `href="/inbox/tickets/new">New ticket</a>`) {
			t.Error("the inbox does not link to the new-ticket form")
		}
		res, body := get(t, c, srv, "/inbox/tickets/new")
		if res.StatusCode != 200 || !strings.Contains(body, `<option value="`+itoa(sam.ID)+`" selected>sam@support.example (me)</option>`) {
			t.Fatalf("form: %s; assignee defaults to me: %v", res.Status, strings.Contains(body, "(me)"))
		}
		form := url.Values{"to": {"ada at example"}, "cc": {"bob@example.com"}, "subject": {"Your order"}, "text": {"It is delayed."},
			"priority": {"high"}, "category": {"general"}, "assignee": {itoa(sam.ID)}, "key": {"k1"}}
		res, body = postMultipart(t, c, srv.URL+"/inbox/tickets/new", form, upload{"label.txt", []byte("label")})
		if res.StatusCode != 400 || !strings.Contains(body, "Type one email address") || !strings.Contains(body, `value="ada at example"`) ||
			!strings.Contains(body, `value="bob@example.com"`) || !strings.Contains(body, "It is delayed.") || !strings.Contains(body, `<span class="chip-name">label.txt</span>`) {
			t.Fatalf("a bad address: %s; typed text and file kept? %v", res.Status, strings.Contains(body, "label.txt"))
		}
		form.Set("to", "sam@support.example")
		res, body = postMultipart(t, c, srv.URL+"/inbox/tickets/new", form)
		if res.StatusCode != 400 || !strings.Contains(body, "That address belongs to staff") {
			t.Errorf("a staff address: %s", res.Status)
		}
		form.Set("to", "ada@example.com")
		form.Set("text", "  ")
		if res, body = postMultipart(t, c, srv.URL+"/inbox/tickets/new", form); res.StatusCode != 400 || !strings.Contains(body, "Write the message to send.") {
			t.Errorf("an empty message: %s", res.Status)
		}
		form.Set("text", "It is delayed.")

		ada := customer(t, srv, db, "carol@example.com")
		if res, _ := postMultipart(t, ada, srv.URL+"/inbox/tickets/new", form); res.StatusCode != 403 && res.StatusCode != 404 {
			t.Errorf("a customer posted the form: %s", res.Status)
		}
		if res, _ := do(t, c, "POST", srv.URL+"/inbox/tickets/new", form, "Sec-Fetch-Site", "cross-site"); res.StatusCode != 403 {
			t.Errorf("a cross-site post: %s", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets`); n != 0 {
			t.Fatalf("%d tickets before the good post", n)
		}

		res, _ = postMultipart(t, c, srv.URL+"/inbox/tickets/new", form)
		if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/inbox/tickets/1?notice=started") {
			t.Fatalf("start: %s %s", res.Status, res.Header.Get("Location"))
		}
		_, body = get(t, c, srv, res.Header.Get("Location"))
		for _, want := range []string{"Ticket #1 started; mail to ada@example.com queued.", "It is delayed.", "label.txt"} {
			if !strings.Contains(body, want) {
				t.Errorf("the ticket page lacks %q", want)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'reply' AND to_email IN ('ada@example.com', 'bob@example.com')`); n != 2 {
			t.Errorf("%d reply mails queued, want 2 (customer and Cc)", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM drafts`); n != 0 {
			t.Errorf("%d drafts left after sending", n)
		}
	})
}
