package web

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

const (
	chromeMac    = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	safariIPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

// signInAs signs the client in to addr with the User-Agent header ua.
func signInAs(t *testing.T, srv string, db *store.DB, c *http.Client, addr, ua string) {
	t.Helper()
	do(t, c, "POST", srv+"/login", url.Values{"email": {addr}, "next": {"/account"}}, "User-Agent", ua)
	_, token := tokenFromMail(t, db, addr)
	if res, _ := do(t, c, "POST", srv+"/login/confirm", url.Values{"token": {token}}, "User-Agent", ua); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /login/confirm: %s", res.Status)
	}
}

// visibleText is the page's text as a person reads it: no tags, no
// attributes, entities decoded.
func visibleText(page string) string {
	page = regexp.MustCompile(`(?s)<head>.*?</head>|<[^>]*>`).ReplaceAllString(page, " ")
	return strings.Join(strings.Fields(html.UnescapeString(page)), " ")
}

// TestAccountDescribesSessions: /account names browsers as people do, with
// how long each session has lasted and how ended ones ended; the raw user
// agent is only in a title attribute.
func TestAccountDescribesSessions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{})
		laptop, phone := browser(t), browser(t)
		signInAs(t, srv.URL, db, laptop, "ada@example.com", chromeMac)
		signInAs(t, srv.URL, db, phone, "ada@example.com", safariIPhone)
		// The laptop signed in 2 h 10 min ago; the phone a minute later
		// logs out after 1 h 5 min.
		start := time.Now().Add(-2*time.Hour - 10*time.Minute - 20*time.Second)
		if _, err := db.X.Exec(db.X.Rebind(`UPDATE sessions SET created_at = ?, last_seen_at = ? WHERE browser = 'Chrome'`), start, start); err != nil {
			t.Fatal(err)
		}
		if res, _ := do(t, phone, "POST", srv.URL+"/logout", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %s", res.Status)
		}
		if _, err := db.X.Exec(db.X.Rebind(`UPDATE sessions SET created_at = ?, ended_at = ? WHERE browser = 'Safari'`),
			start.Add(time.Minute), start.Add(time.Hour+6*time.Minute)); err != nil {
			t.Fatal(err)
		}

		res, body := do(t, laptop, "GET", srv.URL+"/account", nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /account: %s", res.Status)
		}
		text := visibleText(body)
		for _, want := range []string{
			"Chrome on macOS, desktop — 2 h 10 min (this browser)",
			"Recently ended Browser — lasted Signed in Ended How IP address Safari on iOS, mobile — 1 h 5 min",
			"Logged out",
			"Recent sign-ins",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the page does not say %q:\n%s", want, text)
			}
		}
		if strings.Count(text, "Chrome on macOS, desktop") != 2 || strings.Count(text, "Safari on iOS, mobile") != 2 {
			t.Errorf("want each browser in its session row and its sign-in row:\n%s", text)
		}
		for _, raw := range []string{"Mozilla", "AppleWebKit", "KHTML"} {
			if strings.Contains(text, raw) {
				t.Errorf("the page shows the raw user agent (%q):\n%s", raw, text)
			}
		}
		if !strings.Contains(body, `title="`+html.EscapeString(chromeMac)+`"`) {
			t.Errorf("the raw user agent is not in a title attribute:\n%s", body)
		}

		// The download has the same, by field.
		_, body = do(t, laptop, "GET", srv.URL+"/account/export", nil)
		var doc store.Export
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Sessions) != 2 || len(doc.Logins) != 2 {
			t.Fatalf("export: %d sessions, %d logins; want 2 and 2", len(doc.Sessions), len(doc.Logins))
		}
		laptopS, phoneS := doc.Sessions[0], doc.Sessions[1]
		if laptopS.Browser != "Chrome" || laptopS.OS != "macOS" || laptopS.Device != "desktop" || laptopS.EndedAt != nil ||
			phoneS.Browser != "Safari" || phoneS.EndReason != store.EndLogout || phoneS.DurationSeconds != 65*60 {
			t.Errorf("exported sessions: %+v", doc.Sessions)
		}
		if l := doc.Logins[1]; l.Browser != "Safari" || l.OS != "iOS" || l.Device != "mobile" || l.UserAgent != safariIPhone {
			t.Errorf("exported login: %+v", l)
		}
	})
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                               "under a minute",
		59 * time.Second:                "under a minute",
		45*time.Minute + 59*time.Second: "45 min",
		2 * time.Hour:                   "2 h",
		2*time.Hour + 10*time.Minute:    "2 h 10 min",
		24 * time.Hour:                  "1 d",
		3*24*time.Hour + 4*time.Hour:    "3 d 4 h",
		7*24*time.Hour - time.Second:    "6 d 23 h",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
