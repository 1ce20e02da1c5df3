package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestInboxBulk200: staff select 200 tickets, confirm once on a page that
// says what will change and what mail will go, and the list then says
// exactly what happened; each changed ticket has its audit entry and the
// status mail a single change sends; tickets already so or merged are
// reported.
func TestInboxBulk200(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories, UndoWindow: 10 * time.Second})
		c, sam := staffMember(t, srv, db, "sam@support.example")
		var numbers []string
		var ids []int64
		for i := range 200 {
			d := deliver(t, db, newMail(fmt.Sprintf("c%d@example.com", i), fmt.Sprintf("Bulk %d", i), "help"))
			numbers, ids = append(numbers, itoa(d.TicketNumber)), append(ids, d.TicketID)
		}
		other := deliver(t, db, newMail("other@example.com", "Elsewhere", "x"))
		for _, id := range ids[:2] {
			if err := db.ChangeTicket(ctx, store.Change{TicketID: id, ActorID: sam.ID, Status: "resolved"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.MergeTickets(ctx, []int64{mustNumber(t, numbers[2])}, other.TicketNumber, sam.ID); err != nil {
			t.Fatal(err)
		}
		_, list := get(t, c, srv, "/inbox")
		if !strings.Contains(list, `id="pick-all"`) || !strings.Contains(list, `action="/inbox/bulk"`) {
			t.Fatalf("the list has no bulk form:\n%s", list)
		}
		form := url.Values{"ticket": numbers, "action": {"status"}, "status": {"resolved"}, "back": {"/inbox?queue=all"}, "do": {"bulk"}}
		res, page := do(t, c, "POST", srv.URL+"/inbox/bulk", form)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("confirmation: %s\n%s", res.Status, page)
		}
		for _, want := range []string{"<strong>Set status to resolved</strong> on 197 tickets:", "<strong>#" + numbers[199] + "</strong> Bulk 199",
			"Already so, left alone (2): #" + numbers[0] + ", #" + numbers[1] + ".", "merged into another ticket",
			"The people on 197 tickets will get the resolved mail, as when you change one ticket; it waits 10 seconds, while you can undo.",
			`id="bulk-apply"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the confirmation does not say %q", want)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'ticket_change' AND actor_id = ?`, sam.ID); n != 2 {
			t.Fatalf("the confirmation changed something: %d audit entries", n)
		}
		mails := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status'`)
		res, _ = do(t, c, "POST", srv.URL+"/inbox/bulk/apply", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply: %s", res.Status)
		}
		_, list = get(t, c, srv, res.Header.Get("Location"))
		want := "Status set to resolved on 197 tickets; 2 already resolved; skipped #" + numbers[2] + " (merged into another ticket)."
		if !strings.Contains(list, want) {
			t.Errorf("the list does not say %q:\n%s", want, list)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'ticket_change' AND actor_id = ?`, sam.ID); n != 2+197 {
			t.Errorf("audit entries = %d, want one per ticket changed (%d)", n, 2+197)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status'`) - mails; n != 197 {
			t.Errorf("status mails = %d, want 197", n)
		}
		if strings.Contains(strings.ToLower(list), "done%3d") || !strings.Contains(strings.ToLower(list), "back=%2finbox%3fqueue%3dall") {
			t.Error("the list's ticket links carry the bulk report")
		}

		// Undo all: every status change is taken back, no mail goes.
		loc, _ := url.Parse(res.Header.Get("Location"))
		undo := url.Values{"back": {"/inbox?queue=all"}}
		for _, id := range strings.Split(loc.Query().Get("undo"), ",") {
			undo.Add("action", id)
		}
		if len(undo["action"]) != 197 || !strings.Contains(list, `id="bulk-undo"`) || strings.Count(list, `name="action" value="`) != 197 {
			t.Fatalf("the list offers Undo all for %d actions", len(undo["action"]))
		}
		ada := customer(t, srv, db, "c5@example.com")
		if res, _ := do(t, ada, "POST", srv.URL+"/inbox/bulk/undo", undo); res.StatusCode != 403 && res.StatusCode != 404 {
			t.Errorf("a customer's undo: %s", res.Status)
		}
		res, _ = do(t, c, "POST", srv.URL+"/inbox/bulk/undo", undo)
		_, list = get(t, c, srv, res.Header.Get("Location"))
		if !strings.Contains(list, "Undone on 197 tickets: the status is back and no mail was sent.") {
			t.Errorf("after Undo all the list does not say so: %s", res.Header.Get("Location"))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status'`) - mails; n != 0 {
			t.Errorf("status mails after Undo all = %d, want 0", n)
		}
		if tk, _ := db.Ticket(ctx, ids[199]); tk.Status != "open" {
			t.Errorf("after Undo all a ticket is %s", tk.Status)
		}

		// Without the script: "select all on this page" takes every row
		// posted with the form.
		form = url.Values{"page_all": {"1"}, "page": numbers[100:150], "action": {"assign"}, "assignee": {"me"}, "do": {"bulk"}}
		res, _ = do(t, c, "POST", srv.URL+"/inbox/bulk/apply", form)
		_, list = get(t, c, srv, res.Header.Get("Location"))
		if !strings.Contains(list, "Assigned to you on 50 tickets.") {
			t.Errorf("assigning the page: %s", res.Header.Get("Location"))
		}
		// A crafted report names nothing that cannot be chosen.
		_, list = get(t, c, srv, "/inbox?notice=bulk&bulk=status&to=deleted&done=9&same=0")
		if strings.Contains(list, "deleted on") {
			t.Error("the list believed a crafted report")
		}
	})
}

func mustNumber(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestInboxBulkRefuses: customers, other sites, more than the cap, no
// selection and a value not offered are refused, changing nothing; what
// was typed stays.
func TestInboxBulkRefuses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories})
		c, _ := staffMember(t, srv, db, "sam@support.example")
		a := deliver(t, db, newMail("ada@example.com", "One", "1"))
		ada := customer(t, srv, db, "ada@example.com")
		form := url.Values{"ticket": {itoa(a.TicketNumber)}, "action": {"priority"}, "priority": {"urgent"}}
		for _, path := range []string{"/inbox/bulk", "/inbox/bulk/apply"} {
			if res, _ := do(t, ada, "POST", srv.URL+path, form); res.StatusCode != 403 && res.StatusCode != 404 {
				t.Errorf("a customer's %s: %s", path, res.Status)
			}
			if res, _ := do(t, c, "POST", srv.URL+path, form, "Sec-Fetch-Site", "cross-site"); res.StatusCode != 403 {
				t.Errorf("a cross-site %s: %s", path, res.Status)
			}
		}
		many := url.Values{"action": {"priority"}, "priority": {"urgent"}}
		for i := range store.MaxBulk + 1 {
			many.Add("ticket", itoa(int64(i+1)))
		}
		if res, body := do(t, c, "POST", srv.URL+"/inbox/bulk/apply", many); res.StatusCode != 400 || !strings.Contains(body, "a bulk action takes at most 500") {
			t.Errorf("501 tickets: %s", res.Status)
		}
		if res, body := do(t, c, "POST", srv.URL+"/inbox/bulk", url.Values{"action": {"priority"}}); res.StatusCode != 400 || !strings.Contains(body, "Choose at least one ticket") {
			t.Errorf("no tickets: %s", res.Status)
		}
		typed := url.Values{"ticket": {itoa(a.TicketNumber)}, "action": {"add_tags"}, "tags": {"ok, " + strings.Repeat("x", 50)}}
		res, body := do(t, c, "POST", srv.URL+"/inbox/bulk", typed)
		if res.StatusCode != 422 || !strings.Contains(body, `value="ok, xxxx`) || !strings.Contains(body, `name="ticket" value="`+itoa(a.TicketNumber)+`"`) {
			t.Errorf("a tag too long: %s, typed text kept: %v", res.Status, strings.Contains(body, `value="ok, xxxx`))
		}
		for _, bad := range []url.Values{
			{"action": {"status"}, "status": {"deleted"}},
			{"action": {"assign"}, "assignee": {"999999"}},
			{"action": {"category"}, "category": {"nonsense"}},
			{"action": {"explode"}},
		} {
			bad.Set("ticket", itoa(a.TicketNumber))
			if res, _ := do(t, c, "POST", srv.URL+"/inbox/bulk/apply", bad); res.StatusCode != 422 {
				t.Errorf("%v: %s", bad, res.Status)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action IN ('ticket_change', 'ticket_tags')`); n != 0 {
			t.Errorf("%d changes after refusals", n)
		}
	})
}
