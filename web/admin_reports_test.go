package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// reportDesk is a desk with one answered, resolved and rated ticket whose
// category and rating comment are hostile to HTML and spreadsheets; the
// clock stands at 10 March 2027, noon UTC.
func reportDesk(t *testing.T, db *store.DB) (srv string, admin, staff *http.Client) {
	t.Helper()
	ctx := context.Background()
	c := withClock(db)
	c.now = time.Date(2027, 3, 9, 9, 0, 0, 0, time.UTC)
	rdb := testRedis(t)
	s := newServer(t, db, rdb, Opts{})
	got, err := db.RecordInbound(ctx, &store.Incoming{From: store.Person{Email: "cus@example.com"}, Subject: "Help",
		Category: "<b>=cmd</b>", Message: store.NewMessage{Kind: "inbound", Source: "web", MessageID: "report-1@example.com", Subject: "Help", Text: "Hi"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetRole(ctx, "agent@example.com", "staff"); err != nil {
		t.Fatal(err)
	}
	var agent int64
	if err := db.X.Get(&agent, db.X.Rebind(`SELECT id FROM users WHERE email = ?`), "agent@example.com"); err != nil {
		t.Fatal(err)
	}
	c.Add(30 * time.Minute)
	if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent, Text: "Done", Status: "resolved"}); err != nil {
		t.Fatal(err)
	}
	var customer int64
	if err := db.X.Get(&customer, db.X.Rebind(`SELECT id FROM users WHERE email = ?`), "cus@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.X.Exec(db.X.Rebind(`INSERT INTO ratings (ticket_id, user_id, rating, comment, created_at, updated_at) VALUES (?, ?, 'bad', ?, ?, ?)`),
		got.TicketID, customer, `=HYPERLINK("http://evil.test")<img src=x>`, c.now, c.now); err != nil {
		t.Fatal(err)
	}
	c.now = time.Date(2027, 3, 10, 12, 0, 0, 0, time.UTC)
	if _, err := db.SetRole(ctx, "boss@example.com", "admin"); err != nil {
		t.Fatal(err)
	}
	admin, staff = browser(t), browser(t)
	signIn(t, s, db, admin, "boss@example.com")
	signIn(t, s, db, staff, "agent@example.com")
	return s.URL, admin, staff
}

func TestAdminReports(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv, admin, staff := reportDesk(t, db)
		for _, path := range []string{"/admin/reports", "/admin/reports.csv"} {
			if res, body := do(t, staff, "GET", srv+path, nil); res.StatusCode != http.StatusForbidden || strings.Contains(body, "<svg") {
				t.Errorf("staff GET %s: %s", path, res.Status)
			}
			if res, _ := do(t, browser(t), "GET", srv+path, nil); res.StatusCode != http.StatusSeeOther {
				t.Errorf("anonymous GET %s: %s", path, res.Status)
			}
		}

		// The default range is the last 30 days, today included.
		res, body := do(t, admin, "GET", srv+"/admin/reports", nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /admin/reports: %s", res.Status)
		}
		for _, want := range []string{`value="2027-02-09"`, `value="2027-03-10"`, `<svg viewBox="0 0 320 120" role="img" aria-labelledby="days-title days-desc">`,
			`<title id="days-title">`, `<desc id="days-desc">1 opened and 1 resolved`, `Tue 9 Mar: 1 opened`,
			`&lt;b&gt;=cmd&lt;/b&gt;`, `<th scope="row" data-label="Group">Portal</th>`, `30 min / 30 min`, `0% good`,
			`=HYPERLINK(&#34;http://evil.test&#34;)&lt;img src=x&gt;`, `href="/inbox/tickets/1"`,
			`href="/admin/reports.csv?from=2027-02-09&amp;to=2027-03-10&amp;by=category"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the report lacks %s", want)
			}
		}
		if strings.Contains(body, "<b>=cmd</b>") || strings.Contains(body, "<img src=x>") {
			t.Error("the report shows a category or comment unescaped")
		}

		// Bad dates are refused with a message, keeping what was typed.
		for _, tc := range []struct{ from, to, want string }{
			{"2027-13-01", "2027-03-10", "The start date &#34;2027-13-01&#34; is not a date"},
			{"2027-03-01", "yesterday", "The end date &#34;yesterday&#34; is not a date"},
			{"2027-03-10", "2027-03-01", "The range ends before it starts"},
			{"2026-01-01", "2027-03-10", "The range is longer than 366 days"},
		} {
			res, body := do(t, admin, "GET", srv+"/admin/reports?"+url.Values{"from": {tc.from}, "to": {tc.to}}.Encode(), nil)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) || !strings.Contains(body, `value="`+tc.from+`"`) || strings.Contains(body, "<svg viewBox") {
				t.Errorf("from %s to %s: %s, want 400 saying %q", tc.from, tc.to, res.Status, tc.want)
			}
			if res, _ := do(t, admin, "GET", srv+"/admin/reports.csv?"+url.Values{"from": {tc.from}, "to": {tc.to}}.Encode(), nil); res.StatusCode != http.StatusBadRequest {
				t.Errorf("CSV from %s to %s: %s, want 400", tc.from, tc.to, res.Status)
			}
		}
		if res, _ := do(t, admin, "GET", srv+"/admin/reports.csv?by=weather", nil); res.StatusCode != http.StatusBadRequest {
			t.Errorf("CSV by weather: %s, want 400", res.Status)
		}

		// The CSVs: a header row, and no cell a spreadsheet reads as a formula.
		read := func(by string) [][]string {
			t.Helper()
			res, body := do(t, admin, "GET", srv+"/admin/reports.csv?from=2027-03-09&to=2027-03-10&by="+by, nil)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
				!strings.Contains(res.Header.Get("Content-Disposition"), "dargo-report-2027-03-09-2027-03-10-by-"+by+".csv") {
				t.Fatalf("CSV by %s: %s %v", by, res.Status, res.Header)
			}
			recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			return recs
		}
		days := read("day")
		if strings.Join(days[0], ",") != "day,opened,resolved" || len(days) != 3 || strings.Join(days[1], ",") != "2027-03-09,1,1" {
			t.Errorf("CSV by day = %q", days)
		}
		cats := read("category")
		if cats[0][0] != "category" || cats[0][3] != "first_responses" || len(cats) != 3 {
			t.Errorf("CSV by category header = %q", cats)
		} else if strings.Join(cats[1][:5], ",") != "<b>=cmd</b>,1,1,1,30" || strings.Join(cats[2][:3], ",") != "All tickets,1,1" {
			t.Errorf("CSV by category = %q", cats)
		}
		comments := read("comments")
		if len(comments) != 2 || strings.Join(comments[0], ",") != "ticket,rating,comment,rated_at" ||
			comments[1][2] != `'=HYPERLINK("http://evil.test")<img src=x>` {
			t.Errorf("CSV comments = %q", comments)
		}
		for _, c := range []string{"=1+2", "+1", "-1", "@SUM(A1)", "\tx", "plain"} {
			got := csvSafe(c)
			if (got[0] == '\'') == (c == "plain") {
				t.Errorf("csvSafe(%q) = %q", c, got)
			}
		}
	})
}
