package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestInboxIsStaffOnly: customers get 403 on every inbox URL and change
// nothing; anonymous browsers are sent to sign in.
func TestInboxIsStaffOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		browsers := map[string]*http.Client{"ada": customer(t, srv, db, "ada@example.com"), "anonymous": browser(t)}
		n := itoa(deliver(t, db, newMail("ada@example.com", "Mine", "Ada's.")).TicketNumber)
		form := url.Values{"text": {"Closing this myself."}, "kind": {"reply"}, "status": {"closed"}, "priority": {"urgent"},
			"assignee": {"me"}, "state": {"replying"}, "last_message": {"999"}}
		tests := []struct {
			who, method, path string
			status            int
			location          string
		}{
			{"ada", "GET", "/inbox", 403, ""},
			{"ada", "GET", "/inbox?queue=all", 403, ""},
			{"ada", "GET", "/inbox/tickets/" + n, 403, ""},
			{"ada", "POST", "/inbox/tickets/" + n + "/reply", 403, ""},
			{"ada", "POST", "/inbox/tickets/" + n + "/reply?note=1", 403, ""},
			{"ada", "POST", "/inbox/tickets/" + n + "/update", 403, ""},
			{"ada", "POST", "/inbox/tickets/" + n + "/presence", 403, ""},
			{"anonymous", "GET", "/inbox", 303, "/login?next=%2Finbox"},
			{"anonymous", "GET", "/inbox/tickets/" + n, 303, "/login?next=%2Finbox%2Ftickets%2F" + n},
			{"anonymous", "POST", "/inbox/tickets/" + n + "/update", 303, "/login"},
		}
		for _, tc := range tests {
			t.Run(tc.who+" "+tc.method+" "+tc.path, func(t *testing.T) {
				var f url.Values
				if tc.method == "POST" {
					f = form
				}
				res, body := do(t, browsers[tc.who], tc.method, srv.URL+tc.path, f)
				if res.StatusCode != tc.status || res.Header.Get("Location") != tc.location {
					t.Errorf("%s → %q, want %d → %q", res.Status, res.Header.Get("Location"), tc.status, tc.location)
				}
				if tc.status == 403 && (!strings.Contains(body, "Your account cannot open this page.") || strings.Contains(body, `"others"`)) {
					t.Errorf("403 page:\n%s", body)
				}
			})
		}
		tk := ticket(t, db, 1)
		if tk.Status != "open" || tk.Priority != "normal" || tk.AssigneeID != nil || len(thread(t, db, tk.ID)) != 1 {
			t.Errorf("a customer changed the ticket: %+v", tk)
		}
		if c := count(t, db, `SELECT COUNT(*) FROM activity`) + count(t, db, `SELECT COUNT(*) FROM emails WHERE kind <> 'magic_link' AND kind <> 'confirmation'`); c != 0 {
			t.Errorf("refused requests recorded %d changes or mails", c)
		}
	})
}

// inboxFixture opens seven tickets from ada a minute apart (t7 newest) and
// gives each a status, priority, category and assignee; t2 mentions an
// invoice in its subject, t5 a refund only in its message.
func inboxFixture(t *testing.T, db *store.DB, sam, kim *store.User) {
	t.Helper()
	clock := withClock(db)
	tickets := []struct {
		subject, text, status, priority, category string
		assignee                                  *store.User
	}{
		{"t1 printer", "It jams.", "open", "normal", "general", nil},
		{"t2 invoice missing", "Where is it?", "open", "high", "billing", sam},
		{"t3 login", "It says no.", "pending", "high", "general", nil},
		{"t4 charge", "Charged twice.", "pending", "urgent", "billing", kim},
		{"t5 money", "Please send a refund.", "resolved", "low", "general", nil},
		{"t6 password", "Forgot it.", "resolved", "high", "general", sam},
		{"t7 export", "CSV please.", "closed", "normal", "billing", sam},
	}
	for _, tk := range tickets {
		clock.Add(time.Minute)
		got := deliver(t, db, newMail("ada@example.com", tk.subject, tk.text))
		c := store.Change{TicketID: got.TicketID, Status: tk.status, Priority: tk.priority, Category: tk.category}
		if tk.assignee != nil {
			c.Assignee = &tk.assignee.ID
		}
		if err := db.ChangeTicket(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
}

// TestInboxQueuesFiltersAndSearch: each queue, filter and search lists the
// right tickets, newest activity first.
func TestInboxQueuesFiltersAndSearch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		c, sam := staffMember(t, srv, db, "sam@support.example")
		_, kim := staffMember(t, srv, db, "kim@support.example")
		inboxFixture(t, db, sam, kim)
		tests := []struct {
			query string
			want  []string
		}{
			{"", []string{"t2 invoice missing", "t1 printer"}},
			{"queue=open", []string{"t2 invoice missing", "t1 printer"}},
			{"queue=pending", []string{"t4 charge", "t3 login"}},
			{"queue=mine", []string{"t6 password", "t2 invoice missing"}},
			{"queue=unassigned", []string{"t3 login", "t1 printer"}},
			{"queue=all", []string{"t7 export", "t6 password", "t5 money", "t4 charge", "t3 login", "t2 invoice missing", "t1 printer"}},
			{"queue=all&status=resolved", []string{"t6 password", "t5 money"}},
			{"queue=all&priority=high", []string{"t6 password", "t3 login", "t2 invoice missing"}},
			{"queue=all&category=billing", []string{"t7 export", "t4 charge", "t2 invoice missing"}},
			{"queue=all&category=nonexistent", nil},
			{"queue=all&assignee=" + itoa(kim.ID), []string{"t4 charge"}},
			{"queue=all&assignee=" + itoa(sam.ID) + "&priority=high", []string{"t6 password", "t2 invoice missing"}},
			{"queue=open&priority=high&category=billing", []string{"t2 invoice missing"}},
			{"queue=all&q=invoice", []string{"t2 invoice missing"}},
			{"queue=all&q=INVOI", []string{"t2 invoice missing"}},
			{"queue=all&q=refund", []string{"t5 money"}},
			{"queue=open&q=refund", []string{"t5 money"}}, // a search looks in every queue
			{"queue=open&status=open&q=refund", nil},
			{"queue=all&q=" + url.QueryEscape(`"); DROP TABLE tickets; --`), nil},
		}
		for _, tc := range tests {
			t.Run(tc.query, func(t *testing.T) {
				res, body := get(t, c, srv, "/inbox?"+tc.query)
				if got := listed(body); res.StatusCode != 200 || !slices.Equal(got, tc.want) {
					t.Errorf("%s: listed %q, want %q", res.Status, got, tc.want)
				}
				if tc.want == nil && !strings.Contains(body, "No tickets here.") {
					t.Errorf("empty list without its notice")
				}
			})
		}
		// The page shows the filters it applies.
		_, body := get(t, c, srv, "/inbox?queue=all&priority=high&assignee="+itoa(sam.ID)+"&q=invoice")
		for _, want := range []string{`<option selected>high</option>`, `value="` + itoa(sam.ID) + `" selected>sam@support.example`,
			`value="invoice"`, `<a href="/inbox?queue=all">all</a>`, "sam@support.example</td>",
			"Results for “invoice” from every queue, narrowed by the filters."} {
			if !strings.Contains(body, want) {
				t.Errorf("inbox page lacks %q", want)
			}
		}
	})
}

// TestInboxPagination: 50 tickets a page, and the next page keeps the
// queue and the filters.
func TestInboxPagination(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		c, _ := staffMember(t, srv, db, "sam@support.example")
		clock := withClock(db)
		var want []string // newest first
		for i := range 58 {
			clock.Add(time.Second)
			d := newMail("ada@example.com", fmt.Sprintf("Ticket %02d", i), "?")
			d.Priority = "high"
			if i%10 == 0 {
				d.Priority = "low" // 6 of them, filtered out: 52 high remain
			} else {
				want = append([]string{d.Subject}, want...)
			}
			deliver(t, db, d)
		}
		_, first := get(t, c, srv, "/inbox?queue=all&priority=high")
		next := nextLink(first)
		if got := listed(first); !slices.Equal(got, want[:50]) {
			t.Fatalf("first page: %d rows %q", len(got), got)
		}
		u, err := url.Parse(next)
		if err != nil || u.Path != "/inbox" || u.Query().Get("queue") != "all" || u.Query().Get("priority") != "high" || u.Query().Get("after") == "" {
			t.Fatalf("next link %q does not keep the filters", next)
		}
		res, second := get(t, c, srv, next)
		if got := listed(second); res.StatusCode != 200 || !slices.Equal(got, want[50:]) || nextLink(second) != "" {
			t.Errorf("second page: %s %q, next %q", res.Status, got, nextLink(second))
		}
	})
}

// TestInboxBadFilters: a filter or page link that is not one of ours is a
// 400, not an empty list or a failure.
func TestInboxBadFilters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		c, _ := staffMember(t, srv, db, "sam@support.example")
		deliver(t, db, newMail("ada@example.com", "One", "?"))
		for _, q := range []string{"queue=everything", "status=lost", "priority=meh", "assignee=sam", "assignee=1.5", "after=garbage", "after=1.0",
			"queue=all&status=OPEN"} {
			res, body := get(t, c, srv, "/inbox?"+q)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "not valid") {
				t.Errorf("/inbox?%s: %s", q, res.Status)
			}
		}
	})
}

// TestInboxTicketPage: staff see the whole thread with notes, who the
// customer is and what else they asked, and the ticket's history.
func TestInboxTicketPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		c, sam := staffMember(t, srv, db, "sam@support.example")
		older := deliver(t, db, newMail("ada@example.com", "Older question", "?"))
		d := newMail("ada@example.com", "Broken export", "The CSV is empty.")
		d.From.Name = "Ada Lovelace"
		got := deliver(t, db, d)
		deliver(t, db, newMail("bob@example.com", "Bob's own", "?"))
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: sam.ID, Text: "Checked the logs: a timeout.", Note: true}); err != nil {
			t.Fatal(err)
		}
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: sam.ID, Priority: "high", Assignee: &sam.ID}); err != nil {
			t.Fatal(err)
		}
		res, body := get(t, c, srv, "/inbox/tickets/"+itoa(got.TicketNumber))
		if res.StatusCode != 200 {
			t.Fatalf("GET: %s", res.Status)
		}
		for _, want := range []string{
			// the thread, with notes
			"#2 Broken export", "The CSV is empty.", "Checked the logs: a timeout.", `<span class="tag tag-note">Internal note</span>`,
			// the customer and their other ticket
			"Ada Lovelace", "mailto:ada@example.com", `<a href="/inbox/tickets/` + itoa(older.TicketNumber) + `">#1 Older question</a>`,
			// the history and the assignee
			"sam@support.example: priority normal → high", "sam@support.example: assignee → sam@support.example",
			`<option value="` + itoa(sam.ID) + `" selected>sam@support.example</option>`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("ticket page lacks %q", want)
			}
		}
		if strings.Contains(body, "Bob's own") {
			t.Error("another customer's ticket is listed as this customer's")
		}
		if strings.Contains(body, `<a href="/inbox/tickets/`+itoa(got.TicketNumber)+`">`) {
			t.Error("the ticket lists itself among the customer's others")
		}
		for _, path := range []string{"/inbox/tickets/999", "/inbox/tickets/abc", "/inbox/tickets/0"} {
			if res, _ := get(t, c, srv, path); res.StatusCode != 404 {
				t.Errorf("GET %s: %s", path, res.Status)
			}
		}
	})
}

var lastMessageRE = regexp.MustCompile(`name="last_message" value="(\d+)"`)

// lastMessage is the last_message the ticket page's reply form carries.
func lastMessage(t *testing.T, body string) string {
	t.Helper()
	m := lastMessageRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no last_message in the reply form:\n%s", body)
	}
	return m[1]
}

// TestInboxReply: a reply is mailed to the customer and by default sets the
// ticket pending; a note is never mailed and only staff see it.
func TestInboxReply(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		c, _ := staffMember(t, srv, db, "sam@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "The CSV is empty."))
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		_, page := get(t, c, srv, path)
		if !strings.Contains(page, `<select id="then" name="status"><option value="">unchanged</option><option>open</option><option selected>pending</option>`) {
			t.Errorf("the reply form does not default to pending:\n%s", page)
		}

		mails := func() int {
			return count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'reply' AND ticket_id = ? AND to_email = 'ada@example.com'`, got.TicketID)
		}
		tests := []struct {
			name       string
			form       url.Values
			files      []upload
			kind       string
			mails      int
			status     string
			customerTo bool // the customer's page shows it
		}{
			{"note", url.Values{"kind": {"note"}, "text": {"Staff eyes only: try the v2 exporter"}, "status": {"resolved"}},
				[]upload{{"trace.txt", []byte("stack")}}, "note", 0, "open", false},
			{"reply", url.Values{"kind": {"reply"}, "text": {"Fixed, please try again."}, "status": {"pending"}},
				nil, "outbound", 1, "pending", true},
			{"reply keeping the status", url.Values{"kind": {"reply"}, "text": {"One more thing."}, "status": {""}},
				nil, "outbound", 2, "pending", true},
			{"reply resolving", url.Values{"kind": {"reply"}, "text": {"Closing this."}, "status": {"resolved"}},
				nil, "outbound", 3, "resolved", true},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, page := get(t, c, srv, path)
				tc.form.Set("last_message", lastMessage(t, page))
				res, _ := postMultipart(t, c, srv.URL+path+"/reply", tc.form, tc.files...)
				if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"#latest" {
					t.Fatalf("POST reply: %s → %q", res.Status, res.Header.Get("Location"))
				}
				msgs := thread(t, db, got.TicketID)
				m := msgs[len(msgs)-1]
				if m.Kind != tc.kind || m.Source != "web" || m.VisibleText != tc.form.Get("text") || m.AuthorEmail != "sam@support.example" ||
					len(m.Attachments) != len(tc.files) {
					t.Errorf("message %+v", m)
				}
				if n := mails(); n != tc.mails {
					t.Errorf("reply mails to the customer = %d, want %d", n, tc.mails)
				}
				if st := ticket(t, db, got.TicketNumber).Status; st != tc.status {
					t.Errorf("status %q, want %q", st, tc.status)
				}
				_, staffPage := get(t, c, srv, path)
				_, customerPage := get(t, ada, srv, "/tickets/"+itoa(got.TicketNumber))
				if !strings.Contains(staffPage, tc.form.Get("text")) || strings.Contains(customerPage, tc.form.Get("text")) != tc.customerTo {
					t.Errorf("%q on the staff page: %v, on the customer's: %v, want %v", tc.form.Get("text"),
						strings.Contains(staffPage, tc.form.Get("text")), strings.Contains(customerPage, tc.form.Get("text")), tc.customerTo)
				}
			})
		}
		res, body := postMultipart(t, c, srv.URL+path+"/reply", url.Values{"kind": {"note"}, "text": {" "}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Write a reply before sending.") ||
			!strings.Contains(body, `value="note" checked`) {
			t.Errorf("empty note: %s\n%s", res.Status, body)
		}
	})
}

// TestInboxReplyCollision: a reply written while the customer wrote again
// is held back once, with the draft kept; sent anyway, it goes.
func TestInboxReplyCollision(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		c, _ := staffMember(t, srv, db, "sam@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "The CSV is empty."))
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		_, page := get(t, c, srv, path)
		seen := lastMessage(t, page)

		// A note meanwhile is no collision; the customer's new mail is.
		res, _ := do(t, c, "POST", srv.URL+path+"/reply", url.Values{"kind": {"note"}, "text": {"Looking."}, "last_message": {seen}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("note: %s", res.Status)
		}
		d := newMail("ada@example.com", "", "Never mind, it was the filter.")
		d.TicketID = got.TicketID
		deliver(t, db, d)

		draft := "Try a different browser & <b>reload</b>"
		form := url.Values{"kind": {"reply"}, "text": {draft}, "status": {"pending"}, "last_message": {seen}}
		res, body := do(t, c, "POST", srv.URL+path+"/reply", form)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "A new message arrived while you were writing.") ||
			!strings.Contains(body, "Try a different browser &amp; &lt;b&gt;reload&lt;/b&gt;</textarea>") ||
			!strings.Contains(body, `name="send_anyway" value="1"`) || !strings.Contains(body, "Never mind, it was the filter.") {
			t.Fatalf("stale reply: %s\n%s", res.Status, body)
		}
		if lastMessage(t, body) == seen {
			t.Error("the held-back form still carries the old last_message")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE kind = 'outbound'`) + count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'reply'`); n != 0 {
			t.Fatalf("a held-back reply was stored or mailed (%d rows)", n)
		}
		if st := ticket(t, db, got.TicketNumber).Status; st != "open" {
			t.Errorf("held-back reply changed the status to %q", st)
		}

		form.Set("send_anyway", "1")
		if res, _ := do(t, c, "POST", srv.URL+path+"/reply", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("send anyway: %s", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE kind = 'outbound' AND visible_text = ?`, draft); n != 1 {
			t.Errorf("replies sent anyway = %d", n)
		}
		// A form opened after the new mail passes without the box.
		_, page = get(t, c, srv, path)
		if res, _ := do(t, c, "POST", srv.URL+path+"/reply", url.Values{"kind": {"reply"}, "text": {"And again."}, "last_message": {lastMessage(t, page)}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("fresh reply: %s", res.Status)
		}
	})
}

// TestInboxReplyWithBadStatusSendsNothing: a reply whose status is not one
// of ours must be refused before it is stored and mailed, not fail after.
func TestInboxReplyWithBadStatusSendsNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		c, _ := staffMember(t, srv, db, "sam@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "?"))
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		_, page := get(t, c, srv, path)
		res, body := do(t, c, "POST", srv.URL+path+"/reply", url.Values{"kind": {"reply"}, "text": {"Fixed."}, "status": {"bogus"},
			"last_message": {lastMessage(t, page)}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Fixed.</textarea>") {
			t.Errorf("reply with status bogus: %s", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE kind = 'outbound'`) + count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'reply'`); n != 0 {
			t.Errorf("the refused reply was stored or mailed (%d rows)", n)
		}
	})
}

// TestInboxUpdate: status, priority, category and assignee change from the
// side form, each change recorded in the history; impossible ones are 400
// and change nothing.
func TestInboxUpdate(t *testing.T) {
	type state struct {
		status, priority, category, assignee string
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		c, sam := staffMember(t, srv, db, "sam@support.example")
		_, kim := staffMember(t, srv, db, "kim@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "?"))
		ada := ticket(t, db, got.TicketNumber).CustomerID
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		tests := []struct {
			name     string
			form     url.Values
			status   int
			location string
			want     state
			activity string // the history entry added, "" when none
		}{
			{"status", url.Values{"status": {"pending"}}, 303, path, state{"pending", "normal", "general", ""}, "status open → pending"},
			{"priority", url.Values{"priority": {"urgent"}}, 303, path, state{"pending", "urgent", "general", ""}, "priority normal → urgent"},
			{"category", url.Values{"category": {"billing"}}, 303, path, state{"pending", "urgent", "billing", ""}, "category general → billing"},
			{"assign to me", url.Values{"assignee": {"me"}}, 303, path, state{"pending", "urgent", "billing", "sam"}, "assignee → sam@support.example"},
			{"assign to kim", url.Values{"assignee": {itoa(kim.ID)}}, 303, path, state{"pending", "urgent", "billing", "kim"},
				"assignee sam@support.example → kim@support.example"},
			{"same values", url.Values{"status": {"pending"}, "priority": {"urgent"}, "category": {"billing"}, "assignee": {itoa(kim.ID)}},
				303, path, state{"pending", "urgent", "billing", "kim"}, ""},
			{"unassign", url.Values{"assignee": {"none"}}, 303, path, state{"pending", "urgent", "billing", ""}, "assignee kim@support.example → none"},
			{"resolve from the inbox", url.Values{"status": {"resolved"}, "next": {"inbox"}}, 303, "/inbox?notice=resolved&ticket=1#t-1", state{"resolved", "urgent", "billing", ""},
				"status pending → resolved"},
			{"assign to a customer", url.Values{"assignee": {itoa(ada)}, "status": {"open"}}, 400, "", state{"resolved", "urgent", "billing", ""}, ""},
			{"assign to nobody known", url.Values{"assignee": {"999999"}}, 400, "", state{"resolved", "urgent", "billing", ""}, ""},
			{"assign to garbage", url.Values{"assignee": {"sam"}}, 400, "", state{"resolved", "urgent", "billing", ""}, ""},
			{"bad status", url.Values{"status": {"lost"}, "priority": {"low"}}, 400, "", state{"resolved", "urgent", "billing", ""}, ""},
			{"bad priority", url.Values{"priority": {"asap"}}, 400, "", state{"resolved", "urgent", "billing", ""}, ""},
			{"unknown category", url.Values{"category": {"secret"}}, 400, "", state{"resolved", "urgent", "billing", ""}, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := count(t, db, `SELECT COUNT(*) FROM activity`)
				res, body := do(t, c, "POST", srv.URL+path+"/update", tc.form)
				loc := res.Header.Get("Location")
				if !strings.Contains(tc.location, "?") {
					loc = strings.Split(loc, "?")[0] // the saved notice's query
				}
				if res.StatusCode != tc.status || loc != tc.location {
					t.Fatalf("POST update: %s → %q\n%s", res.Status, res.Header.Get("Location"), body)
				}
				if tc.status == 400 && !strings.Contains(body, `class="error"`) {
					t.Errorf("400 without the problem shown:\n%s", body)
				}
				tk := ticket(t, db, got.TicketNumber)
				st := state{tk.Status, tk.Priority, tk.Category, ""}
				switch {
				case tk.AssigneeID == nil:
				case *tk.AssigneeID == sam.ID:
					st.assignee = "sam"
				case *tk.AssigneeID == kim.ID:
					st.assignee = "kim"
				default:
					st.assignee = itoa(*tk.AssigneeID)
				}
				if st != tc.want {
					t.Errorf("ticket %+v, want %+v", st, tc.want)
				}
				added := count(t, db, `SELECT COUNT(*) FROM activity`) - before
				if (tc.activity == "") != (added == 0) || added > 1 {
					t.Errorf("%d history entries added, want %q", added, tc.activity)
				}
				if tc.activity != "" {
					_, page := get(t, c, srv, path)
					if !strings.Contains(page, "sam@support.example: "+tc.activity) {
						t.Errorf("history lacks %q", tc.activity)
					}
				}
			})
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status' AND ticket_id = ? AND to_email = 'ada@example.com'`, got.TicketID); n != 1 {
			t.Errorf("status mails = %d, want 1 (for resolved)", n)
		}
	})
}

// TestInboxPresence: two staff on one ticket see each other, on the page
// and through the page's heartbeat, with what each is doing.
func TestInboxPresence(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		sam, _ := staffMember(t, srv, db, "sam@support.example")
		kim, _ := staffMember(t, srv, db, "kim@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "?"))
		other := deliver(t, db, newMail("ada@example.com", "Another", "?"))
		path := "/inbox/tickets/" + itoa(got.TicketNumber)

		_, body := get(t, sam, srv, path)
		if !strings.Contains(body, `id="collision" class="notice" role="status" hidden>`) || strings.Contains(body, " is viewing") {
			t.Errorf("first viewer sees others:\n%s", body)
		}
		_, body = get(t, kim, srv, path)
		if !strings.Contains(body, "<span>sam@support.example is viewing.</span>") || strings.Contains(body, "kim@support.example is") {
			t.Errorf("second viewer does not see the first:\n%s", body)
		}
		_, body = get(t, kim, srv, "/inbox/tickets/"+itoa(other.TicketNumber))
		if strings.Contains(body, " is viewing") {
			t.Error("presence leaks to another ticket")
		}

		type beat struct {
			Others      []viewerNote `json:"others"`
			LastMessage int64        `json:"last_message"`
		}
		heartbeat := func(c *http.Client, state string) beat {
			t.Helper()
			res, body := do(t, c, "POST", srv.URL+path+"/presence", url.Values{"state": {state}})
			var b beat
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" || json.Unmarshal([]byte(body), &b) != nil {
				t.Fatalf("POST presence: %s %q", res.Status, body)
			}
			return b
		}
		lastID := thread(t, db, got.TicketID)[0].ID
		if b := heartbeat(kim, "replying"); !slices.Equal(b.Others, []viewerNote{{"sam@support.example", "viewing"}}) || b.LastMessage != lastID {
			t.Errorf("kim's heartbeat: %+v", b)
		}
		if b := heartbeat(sam, "anything else"); !slices.Equal(b.Others, []viewerNote{{"kim@support.example", "replying"}}) {
			t.Errorf("sam's heartbeat: %+v", b)
		}
		_, body = get(t, sam, srv, path)
		if !strings.Contains(body, "<span>kim@support.example is replying.</span>") {
			t.Error("the page does not say kim is replying")
		}
		// Sending the reply leaves the ticket.
		if res, _ := do(t, kim, "POST", srv.URL+path+"/reply", url.Values{"kind": {"note"}, "text": {"Done."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("kim's note: %s", res.Status)
		}
		if b := heartbeat(sam, "viewing"); len(b.Others) != 0 {
			t.Errorf("kim is still there after replying: %+v", b.Others)
		}
	})
}

// TestInboxSavedNotice: after Save on the ticket page the page says what
// changed, old → new, and says so when nothing did; a forged old value is
// not repeated.
func TestInboxSavedNotice(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		c, _ := staffMember(t, srv, db, "sam@support.example")
		_, kim := staffMember(t, srv, db, "kim@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "?"))
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		form := func(status, priority, assignee string) url.Values {
			return url.Values{"status": {status}, "priority": {priority}, "category": {"general"}, "assignee": {assignee},
				"old_status": {"open"}, "old_priority": {"normal"}, "old_category": {"general"}, "old_assignee": {"none"}}
		}
		for _, tc := range []struct {
			name string
			form url.Values
			want string
		}{
			{"status and assignee", form("pending", "normal", itoa(kim.ID)), "Saved: status open → pending, assignee nobody → kim@support.example."},
			{"nothing", form("open", "normal", "none"), "Nothing to save: nothing was changed."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, body := do(t, c, "POST", srv.URL+path+"/update", tc.form)
				loc := res.Header.Get("Location")
				if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, path+"?saved=") {
					t.Fatalf("POST update: %s → %q\n%s", res.Status, loc, body)
				}
				if _, page := get(t, c, srv, loc); !strings.Contains(page, `<p class="notice" role="status">`+tc.want+`</p>`) {
					t.Errorf("%s does not say %q:\n%s", loc, tc.want, page)
				}
			})
		}
		if _, page := get(t, c, srv, path+"?saved=status:%3Cb%3Eevil&saved=priority:low"); !strings.Contains(page, "Saved: status pending, priority low → normal.") ||
			strings.Contains(page, "evil") {
			t.Errorf("a forged saved query is repeated:\n%s", page)
		}
	})
}
