package web

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// recipientsAbove reads the list above Send: "To: …", "Cc: …" lines.
func recipientsAbove(t *testing.T, body string) []string {
	t.Helper()
	box := regexp.MustCompile(`(?s)<ul id="recipients">(.*?)</ul>`).FindStringSubmatch(body)
	if box == nil {
		t.Fatal("the composer lists no recipients")
	}
	var out []string
	for _, li := range regexp.MustCompile(`(?s)<li[^>]*>(.*?)</li>`).FindAllStringSubmatch(box[1], -1) {
		text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(li[1], "")
		out = append(out, strings.Join(strings.Fields(html.UnescapeString(text)), " "))
	}
	return out
}

// Staff add a person by address and remove them; the page, the list above
// Send, the history and the audit log say so; the reply then goes to exactly
// the people the list says get it; a customer can do none of it; the
// customer cannot be removed; a bad address keeps what was typed.
func TestInboxPeople(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		c, sam := staffMember(t, srv, db, "sam@support.example")
		d := newMail("ada@example.com", "Printer", "It is on fire.")
		d.From.Name = "Ada"
		got := deliver(t, db, d)
		page := "/inbox/tickets/" + itoa(got.TicketNumber)
		ada := customer(t, srv, db, "ada@example.com")

		_, body := get(t, c, srv, page)
		if r := recipientsAbove(t, body); !slices.Equal(r, []string{"To: Ada <ada@example.com>"}) {
			t.Errorf("before adding, the list above Send is %q", r)
		}
		if !strings.Contains(body, `<p class="note-only">Only staff see notes.</p>`) {
			t.Error("note mode does not say only staff see notes")
		}

		// A customer cannot add or remove anyone.
		for _, path := range []string{page + "/people", page + "/people/1/remove"} {
			if res, _ := do(t, ada, "POST", srv.URL+path, url.Values{"email": {"mallory@example.com"}}); res.StatusCode != 403 && res.StatusCode != 404 {
				t.Errorf("a customer posted %s: %s", path, res.Status)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM participants WHERE ticket_id = ?`, got.TicketID); n != 1 {
			t.Fatalf("%d participants after the customer's tries, want 1", n)
		}

		// A bad address: the error shows at the form, the typed text stays.
		res, body := do(t, c, "POST", srv.URL+page+"/people", url.Values{"email": {"bob at example"}, "name": {"Bob B"}})
		if res.StatusCode != 400 || !strings.Contains(body, `id="person-error">Type an email address`) ||
			!strings.Contains(body, `value="bob at example"`) || !strings.Contains(body, `value="Bob B"`) {
			t.Errorf("a bad address: %s, form kept: %v", res.Status, strings.Contains(body, `value="bob at example"`))
		}

		for _, p := range []url.Values{{"email": {"Bob@Example.com"}, "name": {"Bob"}}, {"email": {"carol@example.com"}}} {
			res, _ = do(t, c, "POST", srv.URL+page+"/people", p)
			if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "notice=person-added") {
				t.Fatalf("add %v: %s %s", p, res.Status, res.Header.Get("Location"))
			}
		}
		_, body = get(t, c, srv, res.Header.Get("Location"))
		if !strings.Contains(body, "Added carol@example.com. They now see this ticket") {
			t.Error("after adding, the page does not say who was added")
		}
		if !strings.Contains(body, "sam@support.example: cc → bob@example.com") {
			t.Error("the history does not record who added bob")
		}
		if err := db.Suppress(ctx, "carol@example.com", "hard bounce", "ses-bounce"); err != nil {
			t.Fatal(err)
		}
		_, body = get(t, c, srv, page)
		want := []string{"To: Ada <ada@example.com>", "Cc: Bob <bob@example.com>",
			"Cc: carol@example.com — will not get it: mail to this address is suppressed after a bounce or complaint (hard bounce)"}
		if r := recipientsAbove(t, body); !slices.Equal(r, want) {
			t.Errorf("the list above Send is\n%q, want\n%q", r, want)
		}
		if !strings.Contains(body, `aria-label="Remove Bob &lt;bob@example.com&gt;"`) || strings.Contains(body, `aria-label="Remove Ada`) {
			t.Error("the side panel lacks Bob's remove button, or offers to remove the customer")
		}

		// The reply goes to exactly those the list says get it.
		last := regexp.MustCompile(`name="last_message" value="(\d+)"`).FindStringSubmatch(body)
		res, _ = do(t, c, "POST", srv.URL+page+"/reply", url.Values{"text": {"On it."}, "kind": {"reply"}, "send": {"reply"}, "last_message": {last[1]}})
		if res.StatusCode != 303 {
			t.Fatalf("reply: %s", res.Status)
		}
		var mailed []string
		for _, to := range []string{"ada@example.com", "bob@example.com", "carol@example.com"} {
			es, _ := db.Emails(ctx, to)
			for _, e := range es {
				if e.Kind == store.EmailReply && e.Status == store.EmailQueued {
					mailed = append(mailed, to)
				}
			}
		}
		if !slices.Equal(mailed, []string{"ada@example.com", "bob@example.com"}) {
			t.Errorf("the reply was queued to %q, want ada and bob as listed", mailed)
		}

		// Bob can read the ticket until staff remove him; the customer stays.
		bob := customer(t, srv, db, "bob@example.com")
		if res, body := get(t, bob, srv, "/tickets/"+itoa(got.TicketNumber)); res.StatusCode != 200 ||
			!strings.Contains(body, `<h2 id="people-h">On this ticket</h2>`) || !strings.Contains(body, "Bob &lt;bob@example.com&gt; <span class=\"muted\">(you)</span>") ||
			!strings.Contains(body, "c***@example.com") || strings.Contains(body, "carol@example.com") {
			t.Errorf("bob's portal page: %s; lists people as chosen: %v", res.Status, strings.Contains(body, "c***@example.com"))
		}
		adaID, bobID := mustUser(t, db, "ada@example.com"), mustUser(t, db, "bob@example.com")
		res, body = do(t, c, "POST", srv.URL+page+"/people/"+itoa(adaID)+"/remove", url.Values{})
		if res.StatusCode != 400 || !strings.Contains(body, "The customer cannot be removed") {
			t.Errorf("removing the customer: %s", res.Status)
		}
		res, _ = do(t, c, "POST", srv.URL+page+"/people/"+itoa(bobID)+"/remove", url.Values{})
		if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "notice=person-removed") {
			t.Fatalf("remove bob: %s %s", res.Status, res.Header.Get("Location"))
		}
		_, body = get(t, c, srv, res.Header.Get("Location"))
		if !strings.Contains(body, "Removed Bob. They no longer see this ticket") || strings.Contains(body, "Cc: Bob") {
			t.Error("after removing, the page does not say so or still lists bob above Send")
		}
		if res, _ := get(t, bob, srv, "/tickets/"+itoa(got.TicketNumber)); res.StatusCode != 404 {
			t.Errorf("bob reads the ticket after removal: %s", res.Status)
		}
		if es, _ := db.Emails(ctx, "bob@example.com"); es[len(es)-1].Kind == store.EmailReply && es[len(es)-1].Status == store.EmailQueued {
			t.Error("the reply queued for bob is still to be sent after his removal")
		}
		res, _ = do(t, c, "POST", srv.URL+page+"/people/"+itoa(bobID)+"/remove", url.Values{})
		if !strings.Contains(res.Header.Get("Location"), "notice=person-gone") {
			t.Errorf("removing twice: %s", res.Header.Get("Location"))
		}

		entries, err := db.AuditLog(ctx, store.AuditQuery{})
		if err != nil {
			t.Fatal(err)
		}
		lines, err := auditLines(ctx, db, entries)
		if err != nil {
			t.Fatal(err)
		}
		var said []string
		for _, l := range lines {
			said = append(said, l.Sentence)
		}
		for _, want := range []string{sam.Email + " added Bob to #" + itoa(got.TicketNumber), sam.Email + " removed Bob from #" + itoa(got.TicketNumber)} {
			if !slices.ContainsFunc(said, func(s string) bool { return strings.HasSuffix(s, want) || s == want }) {
				t.Errorf("the audit log does not say %q; it says %q", want, said)
			}
		}
	})
}
