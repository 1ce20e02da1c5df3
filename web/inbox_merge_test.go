package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

var mergeUndoRE = regexp.MustCompile(`<input type="hidden" name="merge" value="(\d+)">`)

// TestInboxMergeFromTicket: "Merge into…" asks first, showing both
// subjects; confirmed, it lands on the survivor, which says what happened
// and offers Undo; the merged ticket redirects there for staff and for its
// customer; Undo puts it back.
func TestInboxMergeFromTicket(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories})
		c, _ := staffMember(t, srv, db, "sam@support.example")
		a := deliver(t, db, newMail("ada@example.com", "Printer jams", "It jams."))
		b := deliver(t, db, newMail("bob@example.com", "Printer jams on page 2", "Page 2."))
		pa, pb := "/inbox/tickets/"+itoa(a.TicketNumber), "/inbox/tickets/"+itoa(b.TicketNumber)

		_, page := get(t, c, srv, pa)
		if !strings.Contains(page, `action="`+pa+`/merge"`) {
			t.Fatalf("the ticket page has no merge form:\n%s", page)
		}
		res, page := do(t, c, "POST", srv.URL+pa+"/merge", url.Values{"into": {"#" + itoa(b.TicketNumber)}})
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "Printer jams</li>") || !strings.Contains(page, "Printer jams on page 2?") {
			t.Fatalf("confirmation: %s, want both subjects:\n%s", res.Status, page)
		}
		if ticket(t, db, a.TicketNumber).MergedInto != nil {
			t.Fatal("merged before it was confirmed")
		}
		res, page = do(t, c, "POST", srv.URL+pa+"/merge", url.Values{"into": {itoa(a.TicketNumber)}, "confirm": {"1"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(page, "cannot be merged into itself") {
			t.Errorf("merge into itself: %s:\n%s", res.Status, page)
		}
		res, _ = do(t, c, "POST", srv.URL+"/inbox/merge", url.Values{"ticket": {itoa(a.TicketNumber)}, "into": {itoa(b.TicketNumber)}, "confirm": {"1"}})
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, pb+"?merged=") {
			t.Fatalf("merge: %s → %q", res.Status, loc)
		}
		_, page = get(t, c, srv, loc)
		m := mergeUndoRE.FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, "Merged #"+itoa(a.TicketNumber)+" into this ticket") || !strings.Contains(page, "It jams.") {
			t.Fatalf("the survivor does not say what was merged, offer Undo, or show the messages:\n%s", page)
		}

		res, _ = get(t, c, srv, pa)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != pb+"?from="+itoa(a.TicketNumber) {
			t.Errorf("staff GET of the merged ticket: %s → %q", res.Status, res.Header.Get("Location"))
		}
		_, page = get(t, c, srv, res.Header.Get("Location"))
		if !strings.Contains(page, "Merged into #"+itoa(b.TicketNumber)+": #"+itoa(a.TicketNumber)+" continues here.") {
			t.Errorf("the survivor does not say where the staff member came from:\n%s", page)
		}
		ada := customer(t, srv, db, "ada@example.com")
		res, _ = get(t, ada, srv, "/tickets/"+itoa(a.TicketNumber))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/tickets/"+itoa(b.TicketNumber)+"?from="+itoa(a.TicketNumber) {
			t.Errorf("customer GET of the merged ticket: %s → %q", res.Status, res.Header.Get("Location"))
		}
		res, page = get(t, ada, srv, res.Header.Get("Location"))
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "continues here.") || !strings.Contains(page, "It jams.") {
			t.Errorf("the customer's survivor page: %s:\n%s", res.Status, page)
		}

		res, _ = do(t, c, "POST", srv.URL+"/inbox/merges/undo", url.Values{"merge": {m[1]}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != pa+"?notice=merge-undone" {
			t.Fatalf("undo: %s → %q", res.Status, res.Header.Get("Location"))
		}
		_, page = get(t, c, srv, pa+"?notice=merge-undone")
		if !strings.Contains(page, "Merge undone") || !strings.Contains(page, "It jams.") {
			t.Errorf("after undo, the ticket page:\n%s", page)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'merged'`); n != 0 {
			t.Errorf("%d merge notices left after the undo", n)
		}
	})
}

// TestInboxMergeFromList: the list's checkboxes and "Merge the selected
// tickets into #" merge several at once after one confirmation.
func TestInboxMergeFromList(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories})
		c, _ := staffMember(t, srv, db, "sam@support.example")
		a := deliver(t, db, newMail("ada@example.com", "One", "1"))
		b := deliver(t, db, newMail("ada@example.com", "Two", "2"))
		into := deliver(t, db, newMail("bob@example.com", "Three", "3"))
		_, page := get(t, c, srv, "/inbox")
		if !strings.Contains(page, `name="ticket" value="`+itoa(a.TicketNumber)+`" form="bulk"`) || !strings.Contains(page, `id="merge-list-into"`) {
			t.Fatalf("the list has no merge checkboxes:\n%s", page)
		}
		// The list's bulk bar's "Merge…" leads to the merge confirmation.
		form := url.Values{"ticket": {itoa(a.TicketNumber), itoa(b.TicketNumber)}, "into": {itoa(into.TicketNumber)}, "back": {"/inbox"}, "do": {"merge"}}
		res, page := do(t, c, "POST", srv.URL+"/inbox/bulk", form)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "One</li>") || !strings.Contains(page, "Two</li>") || !strings.Contains(page, "Three?") {
			t.Fatalf("confirmation: %s:\n%s", res.Status, page)
		}
		form.Set("confirm", "1")
		res, _ = do(t, c, "POST", srv.URL+"/inbox/merge", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("merge: %s", res.Status)
		}
		_, page = get(t, c, srv, res.Header.Get("Location"))
		if !strings.Contains(page, "Merged #"+itoa(a.TicketNumber)+", #"+itoa(b.TicketNumber)+" into this ticket") || len(mergeUndoRE.FindAllString(page, -1)) != 2 {
			t.Errorf("the survivor does not say both were merged, with one Undo for both:\n%s", page)
		}
		if _, page := get(t, c, srv, "/inbox?queue=all"); !strings.Contains(page, `>One</a> <span class="tag">merged</span>`) {
			t.Errorf("the list does not mark a merged ticket:\n%s", page)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'merged' AND to_email = 'ada@example.com'`); n != 1 {
			t.Errorf("ada gets %d notices, want 1", n)
		}
		res, page = do(t, c, "POST", srv.URL+"/inbox/merge", url.Values{"into": {itoa(into.TicketNumber)}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Choose at least one ticket") {
			t.Errorf("nothing selected: %s:\n%s", res.Status, page)
		}
	})
}
