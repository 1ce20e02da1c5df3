package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// zoneServer serves the portal and inbox on a clock fixed at now, for
// pages and store alike, with the desk in Europe/Berlin.
func zoneServer(t *testing.T, db *store.DB, now time.Time) (*httptest.Server, *clock) {
	t.Helper()
	c := &clock{now: now}
	db.Now = c.Now
	db.Zone, _ = time.LoadLocation("Europe/Berlin")
	return newServer(t, db, testRedis(t), Opts{Categories: testCategories, Now: c.Now}), c
}

func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

func TestStaffSeeTimesInTheirZoneAcrossDST(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Sign-ins happen on today's clock: the session cookie's lifetime is
		// counted on the real one.
		srv, c := zoneServer(t, db, time.Now().UTC())
		mia, miaU := staffMember(t, srv, db, "mia@support.example")
		leo, _ := staffMember(t, srv, db, "leo@support.example")
		c.set(time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC))
		before := deliver(t, db, newMail("ann@example.com", "Before the change", "hello"))
		c.set(time.Date(2026, 3, 9, 6, 30, 0, 0, time.UTC))
		after := deliver(t, db, newMail("ann@example.com", "After the change", "hello again"))
		c.set(time.Date(2026, 3, 9, 8, 30, 0, 0, time.UTC))
		if _, err := db.SetStaffTimeZone(ctx, miaU.ID, "America/New_York"); err != nil {
			t.Fatal(err)
		}
		_, body := get(t, mia, srv, "/inbox/tickets/"+itoa(before.TicketNumber))
		if !strings.Contains(body, `<time datetime="2026-03-08T06:30:00Z" title="Sun 8 Mar 2026, 01:30 EST">1 d ago</time>`) {
			t.Errorf("the message before the DST change is not shown at 01:30 EST, 1 d ago:\n%s", body)
		}
		_, body = get(t, mia, srv, "/inbox/tickets/"+itoa(after.TicketNumber))
		if !strings.Contains(body, `<time datetime="2026-03-09T06:30:00Z" title="Mon 9 Mar 2026, 02:30 EDT">2 h ago</time>`) {
			t.Errorf("the message after the DST change is not shown at 02:30 EDT, 2 h ago:\n%s", body)
		}
		_, body = get(t, mia, srv, "/inbox")
		if !strings.Contains(body, `title="Mon 9 Mar 2026, 02:30 EDT">2 h ago</time>`) || !strings.Contains(body, `title="Sun 8 Mar 2026, 01:30 EST">1 d ago</time>`) {
			t.Errorf("the inbox does not say its times in America/New_York:\n%s", body)
		}

		// A staff member who chose no zone sees the desk's.
		_, body = get(t, leo, srv, "/inbox/tickets/"+itoa(after.TicketNumber))
		if !strings.Contains(body, `title="Mon 9 Mar 2026, 07:30 CET">2 h ago</time>`) {
			t.Errorf("a staff member without a zone does not see the desk's (Europe/Berlin):\n%s", body)
		}

		// A week on, the date stands in for "7 d ago".
		c.set(time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC))
		_, body = get(t, mia, srv, "/inbox")
		if !strings.Contains(body, `title="Sun 8 Mar 2026, 01:30 EST">8 Mar 2026</time>`) {
			t.Errorf("a time older than a week is not said as its date:\n%s", body)
		}
	})
}

func TestCustomersGetTimesForTheirBrowser(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv, c := zoneServer(t, db, time.Now().UTC())
		ann := customer(t, srv, db, "ann@example.com")
		c.set(time.Date(2026, 12, 7, 13, 5, 0, 0, time.UTC))
		d := deliver(t, db, newMail("ann@example.com", "Printer", "it jams"))
		for _, path := range []string{"/tickets", "/tickets/" + itoa(d.TicketNumber), "/account"} {
			_, body := get(t, ann, srv, path)
			want := `<time datetime="2026-12-07T13:05:00Z" data-local>7 Dec 2026, 13:05 UTC</time>`
			if path == "/account" { // the sign-ins, on today's clock
				want = `<time datetime="` + time.Now().UTC().Format("2006-01-02T")
			}
			if !strings.Contains(body, want) {
				t.Errorf("%s has no browser-local time with a UTC fallback:\n%s", path, body)
			}
			if !regexp.MustCompile(`<script src="/static/app\.[0-9a-f]+\.js" defer></script>`).MatchString(body) {
				t.Errorf("%s does not load app.js, which says the times in the browser's zone", path)
			}
			if strings.Contains(body, "CET") || strings.Contains(body, "ago</time>") {
				t.Errorf("%s says a time in the desk's zone or relative to the server's clock:\n%s", path, body)
			}
		}
	})
}

func TestAccountTimeZoneForm(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv, c := zoneServer(t, db, time.Now().UTC())
		mia, miaU := staffMember(t, srv, db, "mia@support.example")
		ann := customer(t, srv, db, "ann@example.com")
		c.set(time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)) // winter: the offsets below
		if _, err := db.SaveStaffProfile(context.Background(), miaU.ID, "Mia", ""); err != nil {
			t.Fatal(err)
		}

		_, body := get(t, mia, srv, "/account")
		for _, want := range []string{`<select id="time-zone-select" name="time_zone" data-suggest>`,
			`<option value="" selected>Desk default (Europe/Berlin)</option>`,
			`<optgroup label="Europe">`, `<option value="Europe/Berlin">Europe/Berlin (UTC&#43;01:00)</option>`,
			`<option value="America/St_Johns">America/St_Johns (UTC-03:30)</option>`,
			`<option value="UTC">UTC (UTC&#43;00:00)</option>`} {
			if !strings.Contains(body, want) {
				t.Errorf("/account lacks %s", want)
			}
		}

		res, _ := do(t, mia, "POST", srv.URL+"/account/time-zone", url.Values{"time_zone": {"America/New_York"}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/account?notice=zone-saved#time-zone" {
			t.Fatalf("saving a zone: %s to %q", res.Status, loc)
		}
		_, body = get(t, mia, srv, "/account?notice=zone-saved")
		if !strings.Contains(body, "Saved. Times are now shown in America/New_York.") ||
			!strings.Contains(body, `<option value="America/New_York" selected>America/New_York (UTC-05:00)</option>`) ||
			strings.Contains(body, "data-suggest") {
			t.Errorf("after saving, /account does not say so or show the zone chosen:\n%s", body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, store.AuditStaffTimeZone); n != 1 {
			t.Errorf("%d audit entries, want 1", n)
		}

		// An unknown zone is refused, as typed, with the rest of the page as saved.
		res, body = do(t, mia, "POST", srv.URL+"/account/time-zone", url.Values{"time_zone": {"Mars/Olympus<b>"}})
		if res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "“Mars/Olympus&lt;b&gt;” is not a time zone Dargo knows.") ||
			!strings.Contains(body, `<option value="Mars/Olympus&lt;b&gt;" selected>`) ||
			!strings.Contains(body, `value="Mia"`) {
			t.Errorf("an unknown zone: %s\n%s", res.Status, body)
		}
		if loc, _ := db.StaffLocation(context.Background(), miaU.ID); loc.String() != "America/New_York" {
			t.Errorf("a refused zone changed the saved one to %v", loc)
		}

		// Back to the desk's default.
		do(t, mia, "POST", srv.URL+"/account/time-zone", url.Values{"time_zone": {""}})
		_, body = get(t, mia, srv, "/account?notice=zone-saved")
		if !strings.Contains(body, "Saved. Times are now shown in Europe/Berlin, the desk&#39;s default.") {
			t.Errorf("back to the desk's zone is not said:\n%s", body)
		}

		_, body = get(t, ann, srv, "/account")
		if strings.Contains(body, "time-zone-select") {
			t.Error("a customer is offered a time zone form")
		}
		for _, tc := range []struct {
			who    *http.Client
			header []string
			status int
		}{
			{ann, nil, http.StatusForbidden},
			{mia, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
			{mia, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		} {
			res, _ := do(t, tc.who, "POST", srv.URL+"/account/time-zone", url.Values{"time_zone": {"Asia/Tokyo"}}, tc.header...)
			if res.StatusCode != tc.status {
				t.Errorf("POST /account/time-zone %v: %s, want %d", tc.header, res.Status, tc.status)
			}
		}
		if loc, _ := db.StaffLocation(context.Background(), miaU.ID); loc.String() != "Europe/Berlin" {
			t.Errorf("a refused POST changed the zone to %v", loc)
		}
	})
}

func TestRelativeTime(t *testing.T) {
	now := time.Date(2026, 12, 7, 13, 5, 0, 0, time.UTC)
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"}, {-59 * time.Second, "just now"}, {-90 * time.Second, "1 min ago"},
		{-2*time.Hour - 59*time.Minute, "2 h ago"}, {-47 * time.Hour, "1 d ago"}, {-6 * 24 * time.Hour, "6 d ago"},
		{-7 * 24 * time.Hour, "30 Nov 2026"}, {3 * time.Hour, "in 3 h"}, {30 * 24 * time.Hour, "6 Jan 2027"},
	} {
		if got := relativeTime(now, now.Add(tc.d), time.UTC); got != tc.want {
			t.Errorf("relativeTime(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestTimeZoneAuditSentence(t *testing.T) {
	id := int64(7)
	names := &store.AuditNames{Users: map[int64]store.User{7: {ID: 7, Name: "Mia"}}}
	e := store.AuditEntry{ActorID: &id, UserID: &id, Action: store.AuditStaffTimeZone}
	if got := auditSentence(e, map[string]any{"old": "", "new": "America/New_York"}, names); got != "Mia now sees times in America/New_York" {
		t.Errorf("sentence = %q", got)
	}
	if got := auditSentence(e, map[string]any{"old": "Asia/Tokyo", "new": ""}, names); got != "Mia now sees times in the desk's time zone" {
		t.Errorf("sentence = %q", got)
	}
}
