package web

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

var (
	undoFormRE = regexp.MustCompile(`<form method="post" action="(/inbox/undo/\d+)"><input type="hidden" name="return" value="([^"]*)">`)
	formKeyRE  = regexp.MustCompile(`<input type="hidden" name="key" value="([A-Za-z0-9_-]{22})">`)
)

// TestInboxUndoReply: a reply that resolves waits with an Undo only its
// author can press; Undo makes the text the author's draft and the file a
// staged chip (a reload and a second device show them), puts the status
// back, keeps the list the ticket came from, and leaves no mail.
func TestInboxUndoReply(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories, UndoWindow: 10 * time.Second})
		c, _ := staffMember(t, srv, db, "sam@support.example")
		other, _ := staffMember(t, srv, db, "kim@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "The CSV is empty."))
		back := "/inbox?q=export"
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		_, page := get(t, c, srv, path+"?back="+url.QueryEscape(back))
		text := "Fixed in 2.1 — tell me if it's still empty."
		res, _ := postMultipart(t, c, srv.URL+path+"/reply", url.Values{"text": {text}, "status": {"resolved"}, "back": {back},
			"last_message": {lastMessage(t, page)}, "key": {formKeyRE.FindStringSubmatch(page)[1]}},
			upload{"export.csv", []byte("id,total\n1,42\n")})
		withBack := path + "?back=" + url.QueryEscape(back)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != withBack+"#latest" {
			t.Fatalf("POST reply: %s → %s", res.Status, res.Header.Get("Location"))
		}
		mails := func(kind string) int {
			return count(t, db, `SELECT COUNT(*) FROM emails WHERE ticket_id = ? AND kind = ?`, got.TicketID, kind)
		}
		if mails("reply") != 1 || mails("status") != 0 {
			t.Errorf("mails: %d replies, %d status mails; want one reply, no status mail", mails("reply"), mails("status"))
		}
		_, page = get(t, c, srv, withBack)
		m := undoFormRE.FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, "Reply sent on #"+itoa(got.TicketNumber)+", status resolved.") {
			t.Fatalf("the ticket page offers no Undo:\n%s", page)
		}
		if _, otherPage := get(t, other, srv, path); strings.Contains(otherPage, "/inbox/undo/") {
			t.Error("a colleague is offered the author's Undo")
		}
		ret := html.UnescapeString(m[2])
		if res, _ := do(t, other, "POST", srv.URL+m[1], url.Values{"return": {ret}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("a colleague's Undo: %s, want 404", res.Status)
		}
		res, _ = do(t, c, "POST", srv.URL+m[1], url.Values{"return": {ret}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != withBack+"&notice=reply-undone-status" {
			t.Fatalf("Undo: %s → %q, want the ticket, its list and a notice", res.Status, loc)
		}
		second, _ := staffMember(t, srv, db, "sam@support.example")
		for who, client := range map[string]*http.Client{"after the redirect": c, "on a second device": second} {
			_, page = get(t, client, srv, res.Header.Get("Location"))
			if !strings.Contains(page, "Undone: your reply was not sent; its text and files are back in the composer. The status is back as it was.") &&
				who == "after the redirect" {
				t.Errorf("%s: the page does not say what Undo did:\n%s", who, page)
			}
			if !strings.Contains(page, ">Fixed in 2.1 — tell me if it&#39;s still empty.</textarea>") ||
				!strings.Contains(page, `<span class="chip-name">export.csv</span>`) {
				t.Errorf("%s: the composer lacks the text or the file:\n%s", who, page)
			}
		}
		if mails("reply") != 0 || ticket(t, db, got.TicketNumber).Status != "open" {
			t.Errorf("after Undo: %d reply mails, status %s; want none, open", mails("reply"), ticket(t, db, got.TicketNumber).Status)
		}
		res, _ = do(t, c, "POST", srv.URL+m[1], url.Values{"return": {ret}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "notice=already") {
			t.Errorf("a second Undo: %s → %s, want already undone", res.Status, loc)
		}
	})
}

// TestInboxBackToTheList: ticket links carry the list; resolve (e) and
// Send and next go back to it, at the row that follows; a back that is not
// our inbox is ignored.
func TestInboxBackToTheList(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories, UndoWindow: 10 * time.Second})
		c, _ := staffMember(t, srv, db, "sam@support.example")
		clk := withClock(db)
		var numbers []string
		for _, s := range []string{"printer one", "printer two", "printer three", "scanner"} {
			numbers = append(numbers, itoa(deliver(t, db, newMail("ada@example.com", s, "help")).TicketNumber))
			clk.Add(time.Minute)
		}
		list := "/inbox?q=printer&status=open"
		_, page := get(t, c, srv, list)
		back := "/inbox?q=printer&status=open"
		link := `<a id="t-` + numbers[1] + `" href="/inbox/tickets/` + numbers[1] + `?back=` + url.QueryEscape(back) + `">`
		if !strings.Contains(strings.ToLower(page), strings.ToLower(link)) { // html/template writes %2f
			t.Fatalf("the list's link to #%s does not carry the list:\n%s", numbers[1], page)
		}
		// Resolve #2 (e): back to the search, at #1, the row after it.
		res, _ := do(t, c, "POST", srv.URL+"/inbox/tickets/"+numbers[1]+"/update", url.Values{"status": {"resolved"}, "next": {"inbox"}, "back": {back}})
		want := "/inbox?notice=resolved&q=printer&status=open&ticket=" + numbers[1] + "#t-" + numbers[0]
		if res.Header.Get("Location") != want {
			t.Errorf("resolve: → %q, want %q", res.Header.Get("Location"), want)
		}
		_, page = get(t, c, srv, strings.Split(want, "#")[0])
		if strings.Count(page, "#"+numbers[1]+" resolved.") != 1 || !strings.Contains(page, "/inbox/undo/") {
			t.Errorf("the list does not say what happened or offer Undo:\n%s", page)
		}
		// Send and next from #3: the next of the list is #1 (#2 left it).
		_, page = get(t, c, srv, "/inbox/tickets/"+numbers[2]+"?back="+url.QueryEscape(back))
		res, _ = postMultipart(t, c, srv.URL+"/inbox/tickets/"+numbers[2]+"/reply", url.Values{"text": {"On it."}, "status": {"pending"},
			"last_message": {lastMessage(t, page)}, "after": {"next"}, "back": {back}})
		if want := "/inbox/tickets/" + numbers[0] + "?back=" + url.QueryEscape(back) + "&notice=sent"; res.Header.Get("Location") != want {
			t.Errorf("Send and next: → %q, want %q", res.Header.Get("Location"), want)
		}
		// From the last ticket of the list: back to the list, saying so.
		res, _ = postMultipart(t, c, srv.URL+"/inbox/tickets/"+numbers[0]+"/reply", url.Values{"text": {"On it."},
			"last_message": {"999999"}, "after": {"next"}, "back": {back}})
		if want := "/inbox?notice=last&q=printer&status=open&ticket=" + numbers[0] + "#t-" + numbers[0]; res.Header.Get("Location") != want {
			t.Errorf("Send and next from the last: → %q, want %q", res.Header.Get("Location"), want)
		}
		// Only our own inbox is a place to go back to.
		for _, bad := range []string{"https://evil.example/inbox", "//evil.example/inbox", "/account", "/inbox/../admin", "/inbox\\evil"} {
			res, _ := do(t, c, "POST", srv.URL+"/inbox/tickets/"+numbers[3]+"/update", url.Values{"priority": {"high"}, "next": {"inbox"}, "back": {bad}})
			if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/inbox?notice=updated&ticket=") {
				t.Errorf("back %q: → %q, want the open queue", bad, loc)
			}
		}
	})
}

// TestReplyPostedTwiceAtOnce: the same staff form and the same portal form,
// each posted twice at the same moment, make one reply each; every post
// answers as a success.
func TestReplyPostedTwiceAtOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		staff, _ := staffMember(t, srv, db, "sam@support.example")
		ada := customer(t, srv, db, "ada@example.com")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "The CSV is empty."))
		n := itoa(got.TicketNumber)
		for _, tc := range []struct {
			who  *http.Client
			page string
			kind string
		}{{staff, "/inbox/tickets/" + n, "outbound"}, {ada, "/tickets/" + n, "inbound"}} {
			_, page := get(t, tc.who, srv, tc.page)
			key := formKeyRE.FindStringSubmatch(page)
			if key == nil {
				t.Fatalf("%s has no idempotency key:\n%s", tc.page, page)
			}
			form := url.Values{"text": {"Posted twice by " + tc.kind}, "key": {key[1]}}
			if tc.kind == "outbound" {
				form.Set("last_message", lastMessage(t, page))
			}
			before := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ? AND kind = ?`, got.TicketID, tc.kind)
			var wg sync.WaitGroup
			codes := make([]int, 2)
			for i := range codes {
				wg.Go(func() {
					res, _ := postMultipart(t, tc.who, srv.URL+tc.page+"/reply", form)
					codes[i] = res.StatusCode
				})
			}
			wg.Wait()
			if codes[0] != http.StatusSeeOther || codes[1] != http.StatusSeeOther {
				t.Errorf("%s: the two posts answered %v, want 303 twice", tc.page, codes)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ? AND kind = ?`, got.TicketID, tc.kind) - before; n != 1 {
				t.Errorf("%s: %d replies, want 1", tc.page, n)
			}
		}
	})
}

// TestBackOf: after an undo from a list the ticket keeps that list; from a
// ticket, the list that ticket came from; nothing else is a list.
func TestBackOf(t *testing.T) {
	for ret, want := range map[string]string{
		"":       "",
		"/inbox": "/inbox",
		"/inbox?q=printer&notice=undone&ticket=3":                  "/inbox?q=printer",
		"/inbox/tickets/3?back=%2Finbox%3Fq%3Dprinter":             "/inbox?q=printer",
		"/inbox/tickets/3":                                         "",
		"/inbox/tickets/3?back=https%3A%2F%2Fevil.example%2Finbox": "",
		"/inbox/tickets/3?back=%2Faccount":                         "",
	} {
		if got := backOf(ret); got != want {
			t.Errorf("backOf(%q) = %q, want %q", ret, got, want)
		}
	}
}
