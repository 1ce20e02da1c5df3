package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestInboxSnooze: staff snooze a ticket with a preset in their own time
// zone; it leaves the open queue for the Snoozed one, which says when it
// wakes; Unsnooze brings it back. Refused forms keep what was typed;
// cross-site posts and customers are turned away.
func TestInboxSnooze(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := withClock(db)
		srv := deskServer(t, db)
		mia, miaU := staffMember(t, srv, db, "mia@support.example")
		if _, err := db.SaveStaffProfile(ctx, miaU.ID, "Mia", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.X.ExecContext(ctx, db.X.Rebind(`UPDATE staff_profiles SET time_zone = ? WHERE user_id = ?`), "America/New_York", miaU.ID); err != nil {
			t.Fatal(err)
		}
		ny, _ := time.LoadLocation("America/New_York")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "The CSV is empty."))
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		inQueue := func(queue string) bool {
			t.Helper()
			_, page := get(t, mia, srv, "/inbox?queue="+queue)
			return strings.Contains(page, `id="t-`+itoa(got.TicketNumber)+`"`)
		}

		_, page := get(t, mia, srv, path)
		for _, want := range []string{`action="` + path + `/snooze" id="snooze-form"`, "Tomorrow 9:00", `type="datetime-local" name="until"`, "America/New_York"} {
			if !strings.Contains(page, want) {
				t.Errorf("the ticket page lacks %s", want)
			}
		}

		// Refusals keep the form as it was.
		res, page := do(t, mia, "POST", srv.URL+path+"/snooze", url.Values{"snooze": {"custom"}, "until": {"2020-01-02T10:30"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "has passed") ||
			!strings.Contains(page, `value="2020-01-02T10:30"`) || !strings.Contains(page, `value="custom" id="snooze-custom" checked`) {
			t.Errorf("a past time: %s", res.Status)
		}
		res, page = do(t, mia, "POST", srv.URL+path+"/snooze", url.Values{"snooze": {"custom"}, "until": {"next tuesday"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "not a date and time") || !strings.Contains(page, `value="next tuesday"`) {
			t.Errorf("a bad time: %s", res.Status)
		}
		if res, _ := do(t, mia, "POST", srv.URL+path+"/snooze", url.Values{"snooze": {"tomorrow"}}, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Errorf("a cross-site snooze: %s", res.Status)
		}
		ada := customer(t, srv, db, "ada@example.com")
		if res, _ := do(t, ada, "POST", srv.URL+path+"/snooze", url.Values{"snooze": {"tomorrow"}}); res.StatusCode == http.StatusSeeOther || res.StatusCode == http.StatusOK {
			t.Errorf("a customer snoozed: %s", res.Status)
		}
		if tk := ticket(t, db, got.TicketNumber); tk.SnoozedUntil != nil {
			t.Fatalf("snoozed by a refused form: %v", tk.SnoozedUntil)
		}

		res, _ = do(t, mia, "POST", srv.URL+path+"/snooze", url.Values{"snooze": {"tomorrow"}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != path+"?notice=snoozed" {
			t.Fatalf("snooze: %s → %s", res.Status, loc)
		}
		want, _ := store.SnoozePreset("tomorrow", clk.Now(), ny)
		if tk := ticket(t, db, got.TicketNumber); tk.SnoozedUntil == nil || !tk.SnoozedUntil.Equal(want) {
			t.Fatalf("snoozed until %v, want %v", tk.SnoozedUntil, want)
		}
		when := want.In(ny).Format("Mon 2 Jan 15:04")
		_, page = get(t, mia, srv, path+"?notice=snoozed")
		if !strings.Contains(page, "Snoozed until "+when+" (America/New_York)") || !strings.Contains(page, `id="unsnooze-form"`) {
			t.Errorf("the ticket page does not say it is snoozed until %s", when)
		}
		if inQueue("open") || !inQueue("snoozed") {
			t.Error("not moved from open to snoozed")
		}
		if _, page := get(t, mia, srv, "/inbox?queue=snoozed"); !strings.Contains(page, "snoozed until "+when) {
			t.Error("the snoozed queue does not say when it wakes")
		}

		res, _ = do(t, mia, "POST", srv.URL+path+"/unsnooze", url.Values{})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != path+"?notice=unsnoozed" {
			t.Fatalf("unsnooze: %s → %s", res.Status, loc)
		}
		if !inQueue("open") || inQueue("snoozed") {
			t.Error("not back in the open queue")
		}
		if _, page := get(t, mia, srv, path+"?notice=unsnoozed"); !strings.Contains(page, "Unsnoozed: #"+itoa(got.TicketNumber)+" is back in the queues.") ||
			!strings.Contains(page, "unsnoozed it") {
			t.Error("the ticket page does not say it was unsnoozed")
		}
	})
}

// TestFollowUpLinks: an answer to a ticket closed longer ago than the
// reopen window opens a follow-up; the staff and the customer's pages of
// both link them, and the customer's reply from the portal lands on the
// follow-up with a notice saying why.
func TestFollowUpLinks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := withClock(db)
		srv := deskServer(t, db)
		miaU, err := db.SetRole(ctx, "mia@support.example", store.RoleStaff)
		if err != nil {
			t.Fatal(err)
		}
		old := deliver(t, db, newMail("ada@example.com", "Broken export", "The CSV is empty."))
		if err := db.ChangeTicket(ctx, store.Change{TicketID: old.TicketID, ActorID: miaU.ID, Status: "closed"}); err != nil {
			t.Fatal(err)
		}
		clk.Add(31 * store.Day) // signed in afterwards: sessions last 7 days
		mia, _ := staffMember(t, srv, db, "mia@support.example")
		ada := customer(t, srv, db, "ada@example.com")
		res, _ := postMultipart(t, ada, srv.URL+"/tickets/"+itoa(old.TicketNumber)+"/reply", url.Values{"text": {"It is broken again."}, "key": {"k1"}})
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "?notice=followup") {
			t.Fatalf("reply: %s → %s", res.Status, loc)
		}
		var number int64
		if err := db.X.GetContext(ctx, &number, db.X.Rebind(`SELECT number FROM tickets WHERE follow_up_of = ?`), old.TicketID); err != nil {
			t.Fatal(err)
		}
		if loc != "/tickets/"+itoa(number)+"?notice=followup#latest" {
			t.Errorf("went to %s", loc)
		}
		_, page := get(t, ada, srv, "/tickets/"+itoa(number)+"?notice=followup")
		if !strings.Contains(page, `Follow-up to <a href="/tickets/`+itoa(old.TicketNumber)+`">`) || !strings.Contains(page, "was closed a while ago") {
			t.Error("the customer's new ticket lacks its link or notice")
		}
		if _, page := get(t, ada, srv, "/tickets/"+itoa(old.TicketNumber)); !strings.Contains(page, `Continued in <a href="/tickets/`+itoa(number)+`">`) {
			t.Error("the customer's old ticket lacks its link")
		}
		if _, page := get(t, mia, srv, "/inbox/tickets/"+itoa(number)); !strings.Contains(page, `Follow-up to <a href="/inbox/tickets/`+itoa(old.TicketNumber)+`">`) {
			t.Error("the staff page of the new ticket lacks its link")
		}
		if _, page := get(t, mia, srv, "/inbox/tickets/"+itoa(old.TicketNumber)); !strings.Contains(page, `Continued in <a href="/inbox/tickets/`+itoa(number)+`">`) ||
			!strings.Contains(page, "continued in #"+itoa(number)) {
			t.Error("the staff page of the old ticket lacks its link or history line")
		}
		if tk := ticket(t, db, old.TicketNumber); tk.Status != "closed" {
			t.Errorf("the old ticket is %s", tk.Status)
		}
	})
}
