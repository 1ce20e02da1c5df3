package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// jarSession returns the session cookie the browser holds for srv.
func jarSession(t *testing.T, c *http.Client, srv string) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(srv)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "dargo_session" && ck.Value != "" {
			return ck
		}
	}
	t.Fatal("no session cookie")
	return nil
}

// withCookie is a fresh browser that presents only this session cookie,
// as an attacker who copied it would.
func withCookie(t *testing.T, srv string, ck *http.Cookie) *http.Client {
	t.Helper()
	c := browser(t)
	u, _ := url.Parse(srv)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value, Path: "/"}})
	return c
}

// TestEndedSessionCookieIsRefused: sessions are no longer deleted when they
// end; a copied cookie of a session that logged out, was revoked by
// logging out everywhere, or was replaced by signing in again must not
// sign anyone in.
func TestEndedSessionCookieIsRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		signedIn := func(c *http.Client) bool {
			res, _ := do(t, c, "GET", srv.URL+"/account", nil)
			return res.StatusCode == http.StatusOK
		}

		// Logout.
		laptop := customer(t, srv, db, "ada@example.com")
		stolen := jarSession(t, laptop, srv.URL)
		if !signedIn(withCookie(t, srv.URL, stolen)) {
			t.Fatal("a copied live cookie does not sign in: the test is wrong")
		}
		if res, _ := do(t, laptop, "POST", srv.URL+"/logout", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %s", res.Status)
		}
		if signedIn(withCookie(t, srv.URL, stolen)) {
			t.Error("the cookie of a logged-out session still signs in")
		}
		if res, _ := do(t, withCookie(t, srv.URL, stolen), "POST", srv.URL+"/account/choices", url.Values{"analytics": {"1"}}); res.StatusCode != http.StatusSeeOther ||
			res.Header.Get("Location") != "/login" {
			t.Errorf("POST with a logged-out session: %s %s", res.Status, res.Header.Get("Location"))
		}

		// Logout everywhere.
		phone, desk := customer(t, srv, db, "ada@example.com"), customer(t, srv, db, "ada@example.com")
		phoneCookie := jarSession(t, phone, srv.URL)
		if res, _ := do(t, desk, "POST", srv.URL+"/logout/everywhere", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout everywhere: %s", res.Status)
		}
		if signedIn(withCookie(t, srv.URL, phoneCookie)) {
			t.Error("the cookie of a revoked session still signs in")
		}

		// Signing in again in the same browser replaces its session.
		tablet := customer(t, srv, db, "ada@example.com")
		before := jarSession(t, tablet, srv.URL)
		signIn(t, srv, db, tablet, "ada@example.com")
		if after := jarSession(t, tablet, srv.URL); after.Value == before.Value {
			t.Fatal("signing in again kept the session cookie")
		}
		if signedIn(withCookie(t, srv.URL, before)) {
			t.Error("the cookie of a replaced session still signs in")
		}
		if !signedIn(tablet) {
			t.Error("the new session does not sign in")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL`); n != 1 {
			t.Errorf("live sessions = %d, want the tablet's only", n)
		}
	})
}

// TestIssue12RoutesAuthorization: every route issue 12 added refuses
// whoever may not use it, and cross-site POSTs.
func TestIssue12RoutesAuthorization(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		anon := browser(t)
		ada := customer(t, srv, db, "ada@example.com")
		staff, _ := staffMember(t, srv, db, "sam@example.com")
		boss, _ := admin(t, srv, db, "boss@example.com")
		adaU, err := db.UserByEmail(t.Context(), "ada@example.com")
		if err != nil {
			t.Fatal(err)
		}
		publish := url.Values{"kind": {"privacy"}, "text": {"New text."}, "action": {"publish"}}
		choices := "/inbox/customers/" + itoa(adaU.ID) + "/choices"
		for _, tc := range []struct {
			who    *http.Client
			method string
			path   string
			form   url.Values
			header []string
			status int
		}{
			{anon, "GET", "/admin/policies", nil, nil, http.StatusSeeOther},
			{ada, "GET", "/admin/policies", nil, nil, http.StatusForbidden},
			{staff, "GET", "/admin/policies", nil, nil, http.StatusForbidden},
			{anon, "POST", "/admin/policies", publish, nil, http.StatusSeeOther},
			{ada, "POST", "/admin/policies", publish, nil, http.StatusForbidden},
			{staff, "POST", "/admin/policies", publish, nil, http.StatusForbidden},
			{boss, "POST", "/admin/policies", publish, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
			{boss, "POST", "/admin/policies", publish, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
			{anon, "GET", "/admin/usage", nil, nil, http.StatusSeeOther},
			{ada, "GET", "/admin/usage", nil, nil, http.StatusForbidden},
			{staff, "GET", "/admin/usage", nil, nil, http.StatusForbidden},
			{anon, "POST", "/account/choices", url.Values{"mail": {"1"}}, nil, http.StatusSeeOther},
			{anon, "POST", choices, url.Values{"mail": {"1"}}, nil, http.StatusSeeOther},
			{ada, "POST", choices, url.Values{"mail": {"1"}}, nil, http.StatusForbidden},
			{anon, "POST", "/policy/banners/1/dismiss", url.Values{"back": {"/"}}, nil, http.StatusSeeOther},
			{ada, "POST", "/policy/banners/1/dismiss", url.Values{"back": {"/"}}, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		} {
			res, _ := do(t, tc.who, tc.method, srv.URL+tc.path, tc.form, tc.header...)
			if res.StatusCode != tc.status {
				t.Errorf("%s %s %v: %s, want %d", tc.method, tc.path, tc.header, res.Status, tc.status)
			}
			if tc.status == http.StatusSeeOther && !strings.HasPrefix(res.Header.Get("Location"), "/login") {
				t.Errorf("%s %s by nobody: to %q, want the login form", tc.method, tc.path, res.Header.Get("Location"))
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM policy_versions`); n != 0 {
			t.Errorf("a refused publish wrote %d versions", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM user_choices`); n != 0 {
			t.Errorf("a refused choice wrote %d rows", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM policy_dismissals`); n != 0 {
			t.Errorf("a refused dismissal wrote %d rows", n)
		}
		// The public pages are public.
		for _, p := range []string{"/privacy", "/terms"} {
			if res, _ := do(t, anon, "GET", srv.URL+p, nil); res.StatusCode != http.StatusOK {
				t.Errorf("GET %s by nobody: %s", p, res.Status)
			}
		}
		for _, p := range []string{"/privacy/versions/0", "/privacy/versions/1", "/terms/versions/-1", "/terms/versions/x", "/privacy/versions/99999999999999999999"} {
			if res, _ := do(t, anon, "GET", srv.URL+p, nil); res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %s, want 404", p, res.Status)
			}
		}
	})
}

// TestBannerDismissalStaysOnSite: whatever "back" says, dismissing a
// banner redirects to a path on this site, as the browser resolves it.
func TestBannerDismissalStaysOnSite(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		base, _ := url.Parse(srv.URL + "/tickets")
		for _, back := range []string{"/tickets", "//evil.example/", "/\\evil.example", "https://evil.example/", "/.//evil.example/",
			"/..//evil.example/", "/%2F%2Fevil.example", "/%5Cevil.example", "\\\\evil.example", " //evil.example", "/\t/evil.example",
			"javascript:alert(1)", "/x\r\nSet-Cookie: a=b", "///evil.example"} {
			res, _ := do(t, ada, "POST", srv.URL+"/policy/banners/1/dismiss", url.Values{"back": {back}})
			loc := res.Header.Get("Location")
			to, err := base.Parse(strings.ReplaceAll(loc, `\`, `/`)) // browsers read \ as /
			if res.StatusCode != http.StatusSeeOther || err != nil || to.Host != base.Host || to.Scheme != base.Scheme {
				t.Errorf("back %q: %s to %q", back, res.Status, loc)
			}
			if res.Header.Get("Set-Cookie") != "" {
				t.Errorf("back %q set a cookie", back)
			}
		}
	})
}
