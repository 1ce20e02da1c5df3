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

// TestAdminHours: admins only; a schedule is created with its hours and
// zone, an invalid zone or span is refused with the form as typed and the
// reason, holidays are added and removed, a cross-site post changes nothing.
func TestAdminHours(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories})
		staff, _ := staffMember(t, srv, db, "sam@support.example")
		if _, err := db.SetRole(ctx, "ada@support.example", "admin"); err != nil {
			t.Fatal(err)
		}
		admin := browser(t)
		signIn(t, srv, db, admin, "ada@support.example")

		good := url.Values{"name": {"Office"}, "zone": {"Europe/Berlin"}, "mon": {"09:00-17:00"}, "tue": {"09:00-12:00, 13:00-17:00"}, "default": {"1"}}
		for _, req := range []struct{ method, path string }{{"GET", "/admin/hours"}, {"POST", "/admin/hours"}, {"GET", "/admin/sla"}, {"POST", "/admin/sla"}} {
			if res, _ := do(t, staff, req.method, srv.URL+req.path, good); res.StatusCode != http.StatusForbidden {
				t.Errorf("staff %s %s: %s", req.method, req.path, res.Status)
			}
		}
		if _, body := get(t, admin, srv, "/admin/hours"); !strings.Contains(body, "around the clock in the desk") {
			t.Error("the page does not say SLA time runs around the clock without a schedule")
		}

		bad := url.Values{"name": {"Office"}, "zone": {"Mars/Olympus"}, "mon": {"09:00-17:00"}}
		res, body := do(t, admin, "POST", srv.URL+"/admin/hours", bad)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="Mars/Olympus"`) || !strings.Contains(body, "not a time zone") {
			t.Errorf("a bad zone: %s, form or reason missing", res.Status)
		}
		bad = url.Values{"name": {"Office"}, "zone": {"Europe/Berlin"}, "mon": {"9-5"}}
		res, body = do(t, admin, "POST", srv.URL+"/admin/hours", bad)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="9-5"`) || !strings.Contains(body, "Monday") {
			t.Errorf("a bad span: %s, form or reason missing", res.Status)
		}
		if res, _ := do(t, admin, "POST", srv.URL+"/admin/hours", good, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site: %s", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM business_schedules`); n != 0 {
			t.Fatalf("refused posts saved %d schedules", n)
		}

		res, _ = do(t, admin, "POST", srv.URL+"/admin/hours", good)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %s", res.Status)
		}
		page := res.Header.Get("Location")
		_, body = get(t, admin, srv, page)
		if !strings.Contains(body, "Schedule saved") || !strings.Contains(body, `value="09:00-12:00, 13:00-17:00"`) {
			t.Errorf("the saved schedule's page does not say so or show its hours")
		}
		path := strings.Split(page, "?")[0]
		res, body = do(t, admin, "POST", srv.URL+path+"/holidays", url.Values{"day": {"25.12.2026"}, "holiday_name": {"Christmas"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="25.12.2026"`) || !strings.Contains(body, "not a date") {
			t.Errorf("a bad date: %s", res.Status)
		}
		res, _ = do(t, admin, "POST", srv.URL+path+"/holidays", url.Values{"day": {"2026-12-25"}, "holiday_name": {"Christmas"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add holiday: %s", res.Status)
		}
		_, body = get(t, admin, srv, res.Header.Get("Location"))
		if !strings.Contains(body, "Holiday added") || !strings.Contains(body, "2026-12-25") {
			t.Error("the holiday is not listed")
		}
		var hid int64
		if err := db.X.Get(&hid, `SELECT id FROM business_holidays`); err != nil {
			t.Fatal(err)
		}
		res, _ = do(t, admin, "POST", srv.URL+path+"/holidays/"+itoa(hid)+"/remove", url.Values{})
		if res.StatusCode != http.StatusSeeOther || count(t, db, `SELECT COUNT(*) FROM business_holidays`) != 0 {
			t.Errorf("remove holiday: %s", res.Status)
		}
		edit := url.Values{"name": {"Office"}, "zone": {"America/New_York"}, "mon": {"00:00-24:00"}}
		if res, _ := do(t, admin, "POST", srv.URL+path, edit); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %s", res.Status)
		}
		s, err := db.Schedules(ctx)
		if err != nil || len(s) != 1 || s[0].Zone != "America/New_York" || s[0].Week != "mon 00:00-24:00" {
			t.Errorf("after editing: %+v, %v", s, err)
		}
	})
}

// TestAdminSLA: policies are added with targets in business time, an
// unreadable target or a second policy for the same priority is refused
// with the form as typed, and a policy is deleted.
func TestAdminSLA(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories})
		if _, err := db.SetRole(ctx, "ada@support.example", "admin"); err != nil {
			t.Fatal(err)
		}
		admin := browser(t)
		signIn(t, srv, db, admin, "ada@support.example")

		res, body := do(t, admin, "POST", srv.URL+"/admin/sla", url.Values{"priority": {"high"}, "first_response": {"soon"}, "resolution": {"2 d"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="soon"`) || !strings.Contains(body, "first-response target") {
			t.Errorf("a bad target: %s", res.Status)
		}
		if res, _ := do(t, admin, "POST", srv.URL+"/admin/sla", url.Values{"priority": {"high"}, "first_response": {"4 h"}},
			"Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site: %s", res.Status)
		}
		res, _ = do(t, admin, "POST", srv.URL+"/admin/sla", url.Values{"priority": {"high"}, "first_response": {"4 h"}, "resolution": {"2 d"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add: %s", res.Status)
		}
		_, body = get(t, admin, srv, res.Header.Get("Location"))
		if !strings.Contains(body, "Policy saved") || !strings.Contains(body, "4 h") || !strings.Contains(body, "2 d") {
			t.Error("the policy is not listed")
		}
		res, body = do(t, admin, "POST", srv.URL+"/admin/sla", url.Values{"priority": {"high"}, "first_response": {"1 h"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "already") || !strings.Contains(body, `value="1 h"`) {
			t.Errorf("a second policy for high: %s", res.Status)
		}
		res, _ = do(t, admin, "POST", srv.URL+"/admin/sla", url.Values{"priority": {"high"}, "category": {"billing"}, "first_response": {"1 h"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a category's policy: %s", res.Status)
		}
		ps, err := db.SLAPolicies(ctx)
		if err != nil || len(ps) != 2 || ps[0].FirstResponse != 4*3600 || ps[0].Resolution != 16*3600 {
			t.Fatalf("policies: %+v, %v", ps, err)
		}
		res, _ = do(t, admin, "POST", srv.URL+"/admin/sla/"+itoa(ps[0].ID)+"/delete", url.Values{})
		if res.StatusCode != http.StatusSeeOther || count(t, db, `SELECT COUNT(*) FROM sla_policies`) != 1 {
			t.Errorf("delete: %s", res.Status)
		}
	})
}

// TestInboxSLAColumn: the inbox shows each ticket's due (red when
// overdue, "paused" while pending), sorts by it with the filters kept, and
// still shows a privacy request's due.
func TestInboxSLAColumn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := withClock(db)
		srv := newServer(t, db, testRedis(t), Opts{Categories: append([]string{"privacy"}, testCategories...)})
		staff, sam := staffMember(t, srv, db, "sam@support.example")
		if _, err := db.SaveSLAPolicy(ctx, 0, store.SLAPolicy{Priority: "normal", FirstResponse: 3600}); err != nil {
			t.Fatal(err)
		}
		clk.Add(-3 * time.Hour)
		_, err := db.RecordInbound(ctx, newMail("late@example.com", "Late one", "help"))
		if err != nil {
			t.Fatal(err)
		}
		clk.Add(3*time.Hour - 20*time.Minute)
		_, err = db.RecordInbound(ctx, newMail("soon@example.com", "Soon one", "help"))
		if err != nil {
			t.Fatal(err)
		}
		waiting, err := db.RecordInbound(ctx, newMail("wait@example.com", "Waiting one", "help"))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ChangeTicket(ctx, store.Change{TicketID: waiting.TicketID, ActorID: sam.ID, Status: "pending"}); err != nil {
			t.Fatal(err)
		}
		priv := newMail("priv@example.com", "My data", "what do you hold")
		priv.Category = "privacy"
		if _, err := db.RecordInbound(ctx, priv); err != nil {
			t.Fatal(err)
		}
		_, body := get(t, staff, srv, "/inbox?queue=all&sort=due")
		iLate, iSoon, iWait := strings.Index(body, "Late one"), strings.Index(body, "Soon one"), strings.Index(body, "Waiting one")
		if iLate < 0 || iSoon < 0 || iWait < 0 || !(iLate < iSoon && iSoon < iWait) {
			t.Errorf("sort=due order: late %d, soon %d, waiting %d", iLate, iSoon, iWait)
		}
		for _, want := range []string{`sla-overdue">overdue 2 h`, `>paused<`, `aria-sort="ascending"`, `name="sort" value="due"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the list lacks %q", want)
			}
		}
		if !strings.Contains(body, ">due in 40 min<") && !strings.Contains(body, ">due in 39 min<") {
			t.Error("the list lacks the due of the ticket due in 40 min")
		}
		if !strings.Contains(body, "tag-due") {
			t.Error("the privacy request's due is not shown")
		}
		_, body = get(t, staff, srv, "/inbox?queue=all&sort=due&q=soon")
		if !strings.Contains(body, "soon@example.com") || strings.Contains(body, "late@example.com") {
			t.Errorf("search with sort=due: %s", body)
		}
		res, _ := get(t, staff, srv, "/inbox?sort=sideways")
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("an unknown sort: %s", res.Status)
		}
	})
}
