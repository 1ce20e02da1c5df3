package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestInboxSplit: a later customer message offers Split; the confirm
// page shows the message and its subject; a bad subject comes back with
// what was typed; confirmed, staff land on the new ticket, which says
// what happened and links back, and the original links to it.
func TestInboxSplit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories})
		c, _ := staffMember(t, srv, db, "sam@support.example")
		a := deliver(t, db, newMail("ada@example.com", "Printer jams", "It jams."))
		more := newMail("bob@example.com", "Also my invoice", "The invoice is wrong.")
		more.TicketID = a.TicketID
		m := deliver(t, db, more)
		pa := "/inbox/tickets/" + itoa(a.TicketNumber)
		splitURL := pa + "/messages/" + itoa(m.MessageID) + "/split"

		_, page := get(t, c, srv, pa)
		if !strings.Contains(page, `href="`+splitURL+`"`) {
			t.Fatalf("the later message has no Split link:\n%s", page)
		}
		if strings.Contains(page, pa+"/messages/"+itoa(a.MessageID)+"/split") {
			t.Error("the first message offers Split")
		}
		res, page := get(t, c, srv, splitURL)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "The invoice is wrong.") || !strings.Contains(page, `value="Also my invoice"`) {
			t.Fatalf("confirm page: %s, want the message and its subject:\n%s", res.Status, page)
		}
		long := strings.Repeat("x", 201)
		res, page = do(t, c, "POST", srv.URL+splitURL, url.Values{"subject": {long}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "too long") || !strings.Contains(page, `value="`+long+`"`) {
			t.Errorf("a long subject: %s, want an error that keeps it:\n%s", res.Status, page)
		}
		res, page = do(t, c, "POST", srv.URL+splitURL, url.Values{"subject": {"  "}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Give the new ticket a subject.") {
			t.Errorf("no subject: %s:\n%s", res.Status, page)
		}
		if n := len(mustSplits(t, db, a.TicketID)); n != 0 {
			t.Fatalf("%d splits after refused forms", n)
		}

		res, _ = do(t, c, "POST", srv.URL+splitURL, url.Values{"subject": {"Invoice <wrong>"}})
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/inbox/tickets/") || !strings.Contains(loc, "?split=") {
			t.Fatalf("split: %s → %q", res.Status, loc)
		}
		splits := mustSplits(t, db, a.TicketID)
		if len(splits) != 1 {
			t.Fatalf("splits = %+v", splits)
		}
		s := splits[0]
		_, page = get(t, c, srv, loc)
		for _, want := range []string{
			"Split into #" + itoa(s.IntoNumber) + "; #" + itoa(a.TicketNumber) + " keeps a link.",
			`Split from <a href="` + pa + `">#` + itoa(a.TicketNumber) + " Printer jams</a>",
			"Invoice &lt;wrong&gt;", "The invoice is wrong.", "made this ticket from a message of #" + itoa(a.TicketNumber),
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the new ticket's page lacks %q:\n%s", want, page)
			}
		}
		if strings.Contains(page, "/split\"") {
			t.Error("the new ticket's only message offers Split")
		}
		_, page = get(t, c, srv, pa)
		for _, want := range []string{
			`Message split into <a href="/inbox/tickets/` + itoa(s.IntoNumber) + `">#` + itoa(s.IntoNumber) + " Invoice &lt;wrong&gt;</a>",
			"split a message off into #" + itoa(s.IntoNumber),
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the original's page lacks %q:\n%s", want, page)
			}
		}
		if strings.Contains(page, "The invoice is wrong.") {
			t.Error("the original still shows the split message")
		}
		into := ticket(t, db, s.IntoNumber)
		if bob, err := db.UserByID(ctx, into.CustomerID); err != nil || bob.Email != "bob@example.com" || into.Subject != "Invoice <wrong>" {
			t.Errorf("new ticket %+v, customer %v, %v", into, bob, err)
		}

		// Twice (a double click, or a colleague first): refused, and says where it went.
		res, page = do(t, c, "POST", srv.URL+splitURL, url.Values{"subject": {"again"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(page, "no longer on #"+itoa(a.TicketNumber)+": it is on #"+itoa(s.IntoNumber)) {
			t.Errorf("second split: %s:\n%s", res.Status, page)
		}
		if n := len(mustSplits(t, db, a.TicketID)); n != 1 {
			t.Errorf("%d splits after a second try, want 1", n)
		}
	})
}

// TestInboxSplitRefusedAndGuarded: the first message and staff replies
// have no split page; a merged ticket's split is refused with the reason;
// customers and other sites cannot split.
func TestInboxSplitRefusedAndGuarded(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories})
		c, staff := staffMember(t, srv, db, "sam@support.example")
		a := deliver(t, db, newMail("ada@example.com", "Printer jams", "It jams."))
		more := newMail("ada@example.com", "Re: Printer jams", "And the scanner.")
		more.TicketID = a.TicketID
		m := deliver(t, db, more)
		replyID, err := db.AddStaffReply(context.Background(), store.StaffReply{TicketID: a.TicketID, AuthorID: staff.ID, Text: "On it."})
		if err != nil {
			t.Fatal(err)
		}
		pa := "/inbox/tickets/" + itoa(a.TicketNumber)
		splitURL := pa + "/messages/" + itoa(m.MessageID) + "/split"

		for _, id := range []int64{replyID, 999999} {
			if res, _ := get(t, c, srv, pa+"/messages/"+itoa(id)+"/split"); res.StatusCode != http.StatusNotFound {
				t.Errorf("split page of message %d: %s, want 404", id, res.Status)
			}
		}
		res, page := do(t, c, "POST", srv.URL+pa+"/messages/"+itoa(a.MessageID)+"/split", url.Values{"subject": {"x"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(page, "Not split: the first message is what #"+itoa(a.TicketNumber)+" is about") {
			t.Errorf("splitting the first message: %s:\n%s", res.Status, page)
		}

		ada := customer(t, srv, db, "ada@example.com")
		if res, _ := do(t, ada, "POST", srv.URL+splitURL, url.Values{"subject": {"mine"}}); res.StatusCode == http.StatusSeeOther || res.StatusCode == http.StatusOK {
			t.Errorf("a customer's split: %s", res.Status)
		}
		if res, _ := do(t, c, "POST", srv.URL+splitURL, url.Values{"subject": {"x"}}, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Errorf("a cross-site split: %s, want 403", res.Status)
		}
		if n := len(mustSplits(t, db, a.TicketID)); n != 0 {
			t.Fatalf("%d splits by a customer or another site", n)
		}

		b := deliver(t, db, newMail("ada@example.com", "Printer jams again", "Again."))
		if _, err := db.MergeTickets(context.Background(), []int64{a.TicketNumber}, b.TicketNumber, staff.ID); err != nil {
			t.Fatal(err)
		}
		res, page = do(t, c, "POST", srv.URL+splitURL, url.Values{"subject": {"typed subject"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(page, "no longer on #"+itoa(a.TicketNumber)) {
			t.Errorf("split from a merged ticket: %s:\n%s", res.Status, page)
		}
	})
}

func mustSplits(t *testing.T, db *store.DB, ticketID int64) []store.Split {
	t.Helper()
	s, err := db.Splits(context.Background(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
