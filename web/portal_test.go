package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// testCategories are the categories the portal and inbox tests offer.
var testCategories = []string{"general", "billing"}

// deskServer serves the web tier with the test categories.
func deskServer(t *testing.T, db *store.DB) *httptest.Server {
	t.Helper()
	return newServer(t, db, testRedis(t), Opts{Categories: testCategories})
}

// customer signs addr in as a customer in a new browser.
func customer(t *testing.T, srv *httptest.Server, db *store.DB, addr string) *http.Client {
	t.Helper()
	c := browser(t)
	signIn(t, srv, db, c, addr)
	return c
}

// staffMember makes addr staff and signs them in in a new browser.
func staffMember(t *testing.T, srv *httptest.Server, db *store.DB, addr string) (*http.Client, *store.User) {
	t.Helper()
	u, err := db.SetRole(context.Background(), addr, store.RoleStaff)
	if err != nil {
		t.Fatal(err)
	}
	c := browser(t)
	signIn(t, srv, db, c, addr)
	return c, u
}

// newMail is a mail from addr that opens a ticket.
func newMail(from, subject, text string) *store.Incoming {
	return &store.Incoming{From: store.Person{Email: from}, Subject: subject,
		Message: store.NewMessage{Kind: "inbound", Source: "email", Subject: subject, Text: text, VisibleText: text}}
}

// deliver writes d as the inbound pipeline would.
func deliver(t *testing.T, db *store.DB, d *store.Incoming) *store.Recorded {
	t.Helper()
	got, err := db.RecordInbound(context.Background(), d)
	if err != nil {
		t.Fatalf("deliver %q: %v", d.Subject, err)
	}
	return got
}

// ticket reads a ticket back by number.
func ticket(t *testing.T, db *store.DB, number int64) *store.Ticket {
	t.Helper()
	tk, err := db.TicketByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// thread reads a ticket's messages, notes included.
func thread(t *testing.T, db *store.DB, ticketID int64) []store.ThreadMessage {
	t.Helper()
	msgs, err := db.Thread(context.Background(), ticketID, true)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// get fetches path with browser c.
func get(t *testing.T, c *http.Client, srv *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	return do(t, c, "GET", srv.URL+path, nil)
}

// upload is a file to send in a form's "files" field.
type upload struct {
	name string
	data []byte
}

// postMultipart sends a multipart form, as a browser sends a form with a
// file input, and returns the response and its body.
func postMultipart(t *testing.T, c *http.Client, target string, fields url.Values, files ...upload) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile("files", f.name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.data)
	}
	w.Close()
	req, err := http.NewRequest("POST", target, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

var ticketLinkRE = regexp.MustCompile(`<a (?:id="t-\d+" )?href="/(?:inbox/)?tickets/\d+(?:\?back=[^"]*)?">(.*?)</a>`)

// markRE is a search result's highlighting, which listed leaves out.
var markRE = regexp.MustCompile(`</?mark>`)

// listed returns the subjects a ticket list links to, in page order.
func listed(body string) []string {
	out := []string{}
	for _, m := range ticketLinkRE.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(markRE.ReplaceAllString(m[1], "")))
	}
	return out
}

var nextLinkRE = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)

// nextLink returns the page's link to the next page, "" when there is none.
func nextLink(body string) string {
	m := nextLinkRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// pngBytes is a real 2×2 PNG.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPortalListsOnlyTheViewersTickets: a customer sees the tickets they
// opened and those they are on Cc of, newest first, and nobody else's.
func TestPortalListsOnlyTheViewersTickets(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		clock := withClock(db)
		numbers := map[string]int64{}
		for _, d := range []*store.Incoming{
			newMail("ada@example.com", "Ada's printer", "It is on fire."),
			newMail("bob@example.com", "Bob's secret", "Only Bob."),
			{From: store.Person{Email: "bob@example.com"}, Cc: []store.Person{{Email: "ada@example.com"}}, Subject: "Bob asks with Ada",
				Message: store.NewMessage{Kind: "inbound", Source: "email", Text: "Cc Ada.", VisibleText: "Cc Ada.", SenderAuth: store.SenderVerified}},
			newMail("Ada@Example.com", "Ada's invoice", "Where is it?"),
		} {
			clock.Add(time.Minute)
			numbers[d.Subject] = deliver(t, db, d).TicketNumber
		}
		res, body := get(t, ada, srv, "/tickets")
		want := []string{"Ada's invoice", "Bob asks with Ada", "Ada's printer"}
		if res.StatusCode != 200 || !slices.Equal(listed(body), want) {
			t.Fatalf("GET /tickets: %s, listed %q, want %q", res.Status, listed(body), want)
		}
		if nextLink(body) != "" {
			t.Errorf("one page has a next link %q", nextLink(body))
		}
		if res, _ := get(t, ada, srv, "/tickets/"+itoa(numbers["Bob asks with Ada"])); res.StatusCode != 200 {
			t.Errorf("GET the ticket ada is on Cc of: %s", res.Status)
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("ticket list may be cached: %q", res.Header.Get("Cache-Control"))
		}
		_, body = get(t, customer(t, srv, db, "nobody@example.com"), srv, "/tickets")
		if len(listed(body)) != 0 || !strings.Contains(body, "You have no tickets yet") {
			t.Errorf("a customer without tickets sees %q", listed(body))
		}
	})
}

// TestPortalPaginates: 30 tickets are a page of 25 and one of 5; a page link
// that is not one of ours is refused.
func TestPortalPaginates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		clock := withClock(db)
		var want []string
		for i := range 30 {
			clock.Add(time.Second)
			subject := fmt.Sprintf("Question %02d", i)
			deliver(t, db, newMail("ada@example.com", subject, "?"))
			want = append([]string{subject}, want...)
		}
		_, first := get(t, ada, srv, "/tickets")
		next := nextLink(first)
		if got := listed(first); !slices.Equal(got, want[:25]) || !strings.HasPrefix(next, "/tickets?after=") {
			t.Fatalf("first page: %q, next %q", got, next)
		}
		res, second := get(t, ada, srv, next)
		if got := listed(second); res.StatusCode != 200 || !slices.Equal(got, want[25:]) || nextLink(second) != "" {
			t.Fatalf("second page: %s %q, next %q", res.Status, got, nextLink(second))
		}
		for _, after := range []string{"garbage", "123", "abc.4", "1.-4", "1.0"} {
			res, body := get(t, ada, srv, "/tickets?after="+url.QueryEscape(after))
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "page link is not valid") {
				t.Errorf("after=%q: %s", after, res.Status)
			}
		}
	})
}

// TestPortalNewTicketValidation: a form with a problem comes back with 400,
// the problem, and what was typed; nothing is written.
func TestPortalNewTicketValidation(t *testing.T) {
	valid := url.Values{"subject": {"Broken login"}, "description": {"Typed with care"}, "priority": {"high"}, "category": {"billing"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vs := range valid {
			f[key] = slices.Clone(vs)
		}
		f.Set(k, v)
		return f
	}
	tests := []struct {
		name    string
		form    url.Values
		problem string
		keep    []string // what the form must show again
	}{
		{"missing subject", with("subject", "  "), "Give the ticket a subject.", []string{"Typed with care"}},
		{"missing description", with("description", ""), "Describe what you need.", []string{`value="Broken login"`}},
		{"bad priority", with("priority", "whenever"), "Choose a priority from the list.", []string{`value="Broken login"`, "Typed with care"}},
		{"bad category", with("category", "secret"), "Choose a category from the list.", []string{`value="Broken login"`, "Typed with care"}},
		// The description should come back too; see TestPortalTooLongSubjectKeepsDescription.
		{"too long subject", with("subject", strings.Repeat("s", 201)), "subject is too long", nil},
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		res, body := get(t, ada, srv, "/tickets/new")
		if res.StatusCode != 200 || !strings.Contains(body, `name="subject"`) || !strings.Contains(body, `<option selected>normal</option>`) ||
			!strings.Contains(body, `<option value="billing">Billing</option>`) || !strings.Contains(body, `enctype="multipart/form-data"`) {
			t.Fatalf("GET /tickets/new: %s\n%s", res.Status, body)
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res, body := postMultipart(t, ada, srv.URL+"/tickets", tc.form)
				if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.problem) {
					t.Fatalf("POST /tickets: %s, want 400 with %q\n%s", res.Status, tc.problem, body)
				}
				for _, k := range tc.keep {
					if !strings.Contains(body, k) {
						t.Errorf("the form lost %q", k)
					}
				}
			})
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets`); n != 0 {
			t.Errorf("invalid forms opened %d tickets", n)
		}
	})
}

// TestPortalTooLongSubjectKeepsDescription: a subject over the limit must
// not cost the customer the description they wrote.
func TestPortalTooLongSubjectKeepsDescription(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		res, body := postMultipart(t, ada, srv.URL+"/tickets", url.Values{"subject": {strings.Repeat("s", 201)},
			"description": {"Typed with care"}, "priority": {"normal"}, "category": {"general"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Typed with care") {
			t.Errorf("POST /tickets: %s; the description is lost", res.Status)
		}
	})
}

// TestPortalNewTicket: a valid form opens a ticket with its priority and
// category, queues the confirmation a mail would get, and stores the files
// under the type their bytes have, whatever their names claim.
func TestPortalNewTicket(t *testing.T) {
	evil := []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>")
	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		res, _ := postMultipart(t, ada, srv.URL+"/tickets",
			url.Values{"subject": {"Broken login"}, "description": {"  It says no.\r\nTwice.  "}, "priority": {"high"}, "category": {"billing"}},
			upload{"evil.png", evil}, upload{"photo.jpg", pngBytes(t)}, upload{"invoice.pdf", pdf}, upload{`..\..\notes.txt`, []byte("plain words\n")})
		if res.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/tickets/\d+$`).MatchString(res.Header.Get("Location")) {
			t.Fatalf("POST /tickets: %s → %q", res.Status, res.Header.Get("Location"))
		}
		tk := ticket(t, db, 1)
		if res.Header.Get("Location") != "/tickets/1" || tk.Subject != "Broken login" || tk.Priority != "high" || tk.Category != "billing" || tk.Status != "open" {
			t.Errorf("ticket %+v at %q", tk, res.Header.Get("Location"))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'confirmation' AND ticket_id = ? AND to_email = 'ada@example.com'`, tk.ID); n != 1 {
			t.Errorf("confirmation mails = %d, want 1", n)
		}
		msgs := thread(t, db, tk.ID)
		if len(msgs) != 1 || msgs[0].Kind != "inbound" || msgs[0].Source != "web" || msgs[0].VisibleText != "It says no.\nTwice." || msgs[0].AuthorEmail != "ada@example.com" {
			t.Fatalf("messages: %+v", msgs)
		}
		types := map[string]string{}
		for _, a := range msgs[0].Attachments {
			types[a.Filename] = a.ContentType
		}
		if len(types) != 4 || types["photo.jpg"] != "image/png" || types["invoice.pdf"] != "application/pdf" ||
			!strings.HasPrefix(types["notes.txt"], "text/plain") {
			t.Errorf("stored types: %q", types)
		}
		if ct := types["evil.png"]; ct == "" || ct == "image/png" || strings.Contains(ct, "html") {
			t.Errorf("HTML named evil.png stored as %q", ct)
		}

		res, body := get(t, ada, srv, "/tickets/1")
		if res.StatusCode != 200 || !strings.Contains(body, "#1 Broken login") || !strings.Contains(body, "high priority · Billing") ||
			!strings.Contains(body, ">invoice.pdf</a>") {
			t.Errorf("GET /tickets/1: %s\n%s", res.Status, body)
		}
	})
}

// TestPortalTicketAccess: a customer reaches only their own tickets; every
// other number looks like one that does not exist.
func TestPortalTicketAccess(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		browsers := map[string]*http.Client{
			"ada":       customer(t, srv, db, "ada@example.com"),
			"anonymous": browser(t),
		}
		browsers["staff"], _ = staffMember(t, srv, db, "sam@support.example")
		mine := deliver(t, db, newMail("ada@example.com", "Mine", "Ada's.")).TicketNumber
		bobs := deliver(t, db, newMail("bob@example.com", "Bob's", "Bob's.")).TicketNumber
		n := func(number int64) string { return itoa(number) }
		tests := []struct {
			who, method, path string
			status            int
			location          string
		}{
			{"ada", "GET", "/tickets/" + n(mine), 200, ""},
			{"ada", "GET", "/tickets/" + n(bobs), 404, ""},
			{"ada", "GET", "/tickets/999", 404, ""},
			{"ada", "GET", "/tickets/0", 404, ""},
			{"ada", "GET", "/tickets/-1", 404, ""},
			{"ada", "GET", "/tickets/abc", 404, ""},
			{"ada", "GET", "/tickets/99999999999999999999", 404, ""},
			{"ada", "POST", "/tickets/" + n(bobs) + "/reply", 404, ""},
			{"ada", "POST", "/tickets/999/reply", 404, ""},
			{"staff", "GET", "/tickets/" + n(bobs), 303, "/inbox/tickets/" + n(bobs)},
			{"anonymous", "GET", "/tickets/" + n(mine), 303, "/login?next=%2Ftickets%2F" + n(mine)},
			{"anonymous", "GET", "/tickets", 303, "/login?next=%2Ftickets"},
			{"anonymous", "GET", "/tickets/new", 303, "/login?next=%2Ftickets%2Fnew"},
			{"anonymous", "POST", "/tickets", 303, "/login"},
			{"anonymous", "POST", "/tickets/" + n(mine) + "/reply", 303, "/login"},
		}
		for _, tc := range tests {
			t.Run(tc.who+" "+tc.method+" "+tc.path, func(t *testing.T) {
				var form url.Values
				if tc.method == "POST" {
					form = url.Values{"text": {"Let me in."}, "subject": {"x"}, "description": {"x"}, "priority": {"normal"}, "category": {"general"}}
				}
				res, body := do(t, browsers[tc.who], tc.method, srv.URL+tc.path, form)
				if res.StatusCode != tc.status || res.Header.Get("Location") != tc.location {
					t.Errorf("%s → %q, want %d → %q", res.Status, res.Header.Get("Location"), tc.status, tc.location)
				}
				if tc.status == 404 && (strings.Contains(body, "Bob's") || !strings.Contains(body, "There is no page at this address.")) {
					t.Errorf("404 page:\n%s", body)
				}
			})
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages`); n != 2 {
			t.Errorf("refused requests added messages: %d in all", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets`); n != 2 {
			t.Errorf("refused requests opened tickets: %d in all", n)
		}
	})
}

// TestPortalHidesNotes: staff's internal notes and their files never reach
// the customer's ticket page; the staff reply does.
func TestPortalHidesNotes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		_, sam := staffMember(t, srv, db, "sam@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Refund", "I want my money back."))
		for _, r := range []store.StaffReply{
			{TicketID: got.TicketID, AuthorID: sam.ID, Text: "Staff only: she is a known chargeback risk", Note: true,
				Attachments: []store.NewAttachment{{Filename: "risk-report.txt", ContentType: "text/plain", Data: []byte("risk")}}},
			{TicketID: got.TicketID, AuthorID: sam.ID, Text: "We are looking into it."},
		} {
			if _, err := db.AddStaffReply(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		res, body := get(t, ada, srv, "/tickets/"+itoa(got.TicketNumber))
		if res.StatusCode != 200 || !strings.Contains(body, "I want my money back.") || !strings.Contains(body, "We are looking into it.") {
			t.Fatalf("GET ticket: %s\n%s", res.Status, body)
		}
		for _, secret := range []string{"chargeback", "risk-report.txt", "Internal note", "msg-note"} {
			if strings.Contains(body, secret) {
				t.Errorf("the customer's page shows %q", secret)
			}
		}
	})
}

// TestPortalReply: the customer's answer joins the thread as a web message
// and reopens a resolved ticket; an empty or faulty one comes back with 400.
func TestPortalReply(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		got := deliver(t, db, newMail("ada@example.com", "Refund", "I want my money back."))
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, Status: "resolved"}); err != nil {
			t.Fatal(err)
		}
		path := "/tickets/" + itoa(got.TicketNumber)

		tests := []struct {
			name    string
			text    string
			files   int
			problem string
			draft   string
		}{
			{"empty", "  \r\n ", 0, "Write a reply before sending.", ""},
			// The ten that fit are kept (staged) for the next try; the eleventh is named.
			{"too many files", "Here are my receipts", 11, "receipt10.txt was not attached: a message may have at most 10 files.", "Here are my receipts"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var files []upload
				for i := range tc.files {
					files = append(files, upload{fmt.Sprintf("receipt%d.txt", i), []byte("receipt")})
				}
				res, body := postMultipart(t, ada, srv.URL+path+"/reply", url.Values{"text": {tc.text}}, files...)
				if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.problem) ||
					!strings.Contains(body, `required>`+tc.draft+`</textarea>`) {
					t.Errorf("POST reply: %s, want 400 with %q and the draft %q\n%s", res.Status, tc.problem, tc.draft, body)
				}
			})
		}
		if n := len(thread(t, db, got.TicketID)); n != 1 {
			t.Fatalf("refused replies added messages: %d", n)
		}

		// One kept file removed makes room for another.
		adaID := int64(count(t, db, `SELECT id FROM users WHERE email = 'ada@example.com'`))
		staged, err := db.StagedFiles(ctx, adaID, got.TicketID)
		if err != nil || len(staged) != 10 {
			t.Fatalf("staged after too many files: %d, %v", len(staged), err)
		}
		res, body := postMultipart(t, ada, srv.URL+path+"/reply", url.Values{"text": {"Still waiting."}, "remove": {itoa(staged[0].ID)}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Removed receipt0.txt.") || strings.Contains(body, ">receipt0.txt<") {
			t.Fatalf("remove a kept file: %s\n%s", res.Status, body)
		}
		res, _ = postMultipart(t, ada, srv.URL+path+"/reply", url.Values{"text": {"Still waiting."}}, upload{"receipt.txt", []byte("paid")})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"#latest" {
			t.Fatalf("POST reply: %s → %q", res.Status, res.Header.Get("Location"))
		}
		msgs := thread(t, db, got.TicketID)
		last := msgs[len(msgs)-1]
		if len(msgs) != 2 || last.Kind != "inbound" || last.Source != "web" || last.VisibleText != "Still waiting." ||
			last.AuthorEmail != "ada@example.com" || last.Subject != "Re: Refund" || len(last.Attachments) != 10 {
			t.Errorf("messages after reply: %+v", msgs)
		}
		if st := ticket(t, db, got.TicketNumber).Status; st != "open" {
			t.Errorf("status after the customer's reply = %q, want open", st)
		}
		_, body = get(t, ada, srv, path)
		if !strings.Contains(body, "Still waiting.") || !strings.Contains(body, "receipt.txt") {
			t.Errorf("the reply is not on the page:\n%s", body)
		}
	})
}
