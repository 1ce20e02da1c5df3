package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// usageRow is one raw usage event as the database holds it.
type usageEventRow struct {
	Kind      string `db:"kind"`
	Name      string `db:"name"`
	Pseudonym string `db:"pseudonym"`
	Audience  string `db:"audience"`
}

func usageEvents(t *testing.T, db *store.DB) []usageEventRow {
	t.Helper()
	var out []usageEventRow
	if err := db.X.Select(&out, `SELECT kind, name, pseudonym, audience FROM usage_events ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return out
}

func eventNames(rows []usageEventRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Kind+" "+r.Name)
	}
	return out
}

func TestUsagePageViewRecordsThePatternNotTheURL(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		// A few tickets first, so the number is not a digit found anywhere.
		for i := range 12 {
			deliver(t, db, newMail("other@example.com", "filler "+strconv.Itoa(i), "x"))
		}
		got := deliver(t, db, newMail("ada@example.com", "Printer on fire", "Help"))
		ada := customer(t, srv, db, "ada@example.com")
		number := strconv.FormatInt(got.TicketNumber, 10)
		if res, _ := get(t, ada, srv, "/tickets/"+number+"?from=mail#latest"); res.StatusCode != http.StatusOK {
			t.Fatalf("GET ticket: %s", res.Status)
		}
		get(t, ada, srv, "/tickets/999999")             // not found: no page view
		get(t, ada, srv, "/static/app.css")             // an asset: none
		get(t, ada, srv, "/account/export")             // a download: a feature, not a page view
		do(t, browser(t), "GET", srv.URL+"/login", nil) // anonymous: nothing

		rows := usageEvents(t, db)
		want := []string{"feature signed_in", "page GET /tickets/{number}", "feature export_json"}
		if !slices.Equal(eventNames(rows), want) {
			t.Fatalf("events %q, want %q", eventNames(rows), want)
		}
		u, err := db.UserByEmail(context.Background(), "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			all := r.Kind + " " + r.Name + " " + r.Pseudonym
			if strings.Contains(r.Name, number) || strings.Contains(all, "from=mail") || strings.Contains(all, "ada@") ||
				r.Pseudonym == strconv.FormatInt(u.ID, 10) {
				t.Errorf("event %+v names the ticket, the URL or the person", r)
			}
			if r.Pseudonym != rows[0].Pseudonym || r.Audience != "customer" {
				t.Errorf("event %+v: want one customer pseudonym", r)
			}
		}
	})
}

func TestUsageObjectionStopsEvents(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		u, err := db.UserByEmail(context.Background(), "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		before := len(usageEvents(t, db))
		if _, err := db.X.Exec(db.X.Rebind(`INSERT INTO user_choices (user_id, kind, objected, changed_at) VALUES (?, 'analytics', ?, ?)`),
			u.ID, true, db.Now()); err != nil {
			t.Fatal(err)
		}
		get(t, ada, srv, "/tickets")
		get(t, ada, srv, "/account")
		get(t, ada, srv, "/account/export")
		if after := len(usageEvents(t, db)); after != before {
			t.Errorf("%d events after the objection", after-before)
		}
	})
}

func TestUsageFeaturesAreRecorded(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		res, body := postMultipart(t, ada, srv.URL+"/tickets", url.Values{"subject": {"Printer"},
			"description": {"It is on fire."}, "priority": {"normal"}, "category": {"general"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /tickets: %s\n%s", res.Status, body)
		}
		path := res.Header.Get("Location")
		if res, _ := do(t, ada, "POST", srv.URL+path+"/reply", url.Values{"text": {"Still burning."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("portal reply: %s", res.Status)
		}
		sam, _ := staffMember(t, srv, db, "sam@example.com")
		staffPath := "/inbox" + path
		_, page := get(t, sam, srv, staffPath)
		do(t, sam, "POST", srv.URL+staffPath+"/reply", url.Values{"kind": {"reply"}, "text": {"On it."}, "status": {"pending"},
			"last_message": {lastMessage(t, page)}})
		do(t, sam, "POST", srv.URL+staffPath+"/reply", url.Values{"kind": {"note"}, "text": {"Call the fire brigade."}})
		get(t, sam, srv, "/inbox?queue=all&q=printer")
		get(t, sam, srv, "/inbox?queue=all") // no words: not a search

		var features []string
		for _, r := range usageEvents(t, db) {
			if r.Kind == store.UsageFeature {
				features = append(features, r.Audience+" "+r.Name)
			}
		}
		want := []string{"customer signed_in", "customer ticket_created", "customer reply_sent", "staff signed_in",
			"staff reply_sent", "staff status_changed", "staff note_added", "staff search_run"}
		if !slices.Equal(features, want) {
			t.Errorf("features %q, want %q", features, want)
		}
	})
}

func TestAdminUsagePage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		deliver(t, db, newMail("ada@example.com", "By mail", "Hello"))
		ada := customer(t, srv, db, "ada@example.com")
		get(t, ada, srv, "/tickets/1")
		sam, _ := staffMember(t, srv, db, "sam@example.com")
		if _, err := db.SetRole(context.Background(), "root@example.com", store.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		root := browser(t)
		signIn(t, srv, db, root, "root@example.com")

		for name, c := range map[string]*http.Client{"customer": ada, "staff": sam} {
			if res, _ := get(t, c, srv, "/admin/usage"); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: GET /admin/usage: %s, want 403", name, res.Status)
			}
		}
		res, body := get(t, root, srv, "/admin/usage")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("admin: %s", res.Status)
		}
		for _, want := range []string{`<svg viewBox="0 0 300 100" role="img"`, `<rect class="customers"`, `<rect class="mail"`,
			"GET /tickets/{number}", "signed_in", `href="/admin/usage"`, "Daily active users"} {
			if !strings.Contains(body, want) {
				t.Errorf("/admin/usage lacks %q", want)
			}
		}
		if strings.Contains(body, "<script") {
			t.Error("/admin/usage has a script")
		}
	})
}
