package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestLoginFlow: request a link → mail in the outbox → token from the mail →
// confirm page (which spends nothing) → confirm → session cookie → account →
// logout, against real Redis and both databases.
func TestLoginFlow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{})
		c := browser(t)

		res, body := do(t, c, "GET", srv.URL+"/login?next=/account", nil)
		if res.StatusCode != 200 || !strings.Contains(body, `name="email"`) || !strings.Contains(body, `value="/account"`) {
			t.Fatalf("GET /login: %s\n%s", res.Status, body)
		}
		res, _ = do(t, c, "POST", srv.URL+"/login", url.Values{"email": {"Ada@Example.com"}, "next": {"/account"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login/sent" {
			t.Fatalf("POST /login: %s → %q", res.Status, res.Header.Get("Location"))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'magic_link' AND to_email = 'ada@example.com' AND status = 'queued'`); n != 1 {
			t.Fatalf("queued magic-link emails = %d", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE payload LIKE '%token%'`); n != 0 {
			t.Error("the outbox holds the link in clear")
		}
		link, token := tokenFromMail(t, db, "ada@example.com")
		if !strings.HasPrefix(link, srv.URL+"/login/confirm?token=") {
			t.Errorf("link %q does not point at DARGO_BASE_URL %s", link, srv.URL)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM login_tokens WHERE token_hash = ?`, token); n != 0 {
			t.Error("the token is stored in clear")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM login_tokens WHERE token_hash = ?`, hashSecret(token)); n != 1 {
			t.Error("the token's hash is not stored")
		}

		// Opening the link (as a mail scanner would) changes nothing.
		for range 2 {
			res, body = do(t, c, "GET", link, nil)
			if res.StatusCode != 200 || !strings.Contains(body, "ada@example.com") || !strings.Contains(body, `id="confirm"`) {
				t.Fatalf("GET confirm page: %s\n%s", res.Status, body)
			}
		}
		if res.Header.Get("Referrer-Policy") != "no-referrer" || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("confirm page headers: %v", res.Header)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users`); n != 0 {
			t.Errorf("a user exists before confirming: %d", n)
		}

		res, _ = do(t, c, "POST", srv.URL+"/login/confirm", url.Values{"token": {token}}, "User-Agent", "TestBrowser/1.0")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
			t.Fatalf("POST confirm: %s → %q", res.Status, res.Header.Get("Location"))
		}
		ck := sessionCookie(t, res)
		if ck.Name != "dargo_session" || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure || ck.Domain != "" {
			t.Errorf("cookie attributes: %+v", ck)
		}
		if ck.MaxAge < int(SessionTTL.Seconds())-5 || ck.MaxAge > int(SessionTTL.Seconds()) {
			t.Errorf("cookie Max-Age %d, want 7 days", ck.MaxAge)
		}
		if len(ck.Value) != 43 || count(t, db, `SELECT COUNT(*) FROM sessions WHERE token_hash = ?`, hashSecret(ck.Value)) != 1 {
			t.Errorf("session not stored by its hash")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM logins WHERE user_agent = 'TestBrowser/1.0' AND ip = '127.0.0.1' AND turnstile = 'off'`); n != 1 {
			t.Errorf("login records = %d, want 1 with IP, browser and Turnstile outcome", n)
		}

		res, body = do(t, c, "GET", srv.URL+"/account", nil)
		if res.StatusCode != 200 || !strings.Contains(body, "ada@example.com") || !strings.Contains(body, "(this browser)") || !strings.Contains(body, "TestBrowser/1.0") {
			t.Fatalf("GET /account: %s\n%s", res.Status, body)
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Error("account page may be cached")
		}

		// The link works once.
		res, body = do(t, c, "POST", srv.URL+"/login/confirm", url.Values{"token": {token}})
		if res.StatusCode != http.StatusGone || !strings.Contains(body, "already been used") || !strings.Contains(body, `action="/login"`) {
			t.Errorf("second confirm: %s\n%s", res.Status, body)
		}

		res, _ = do(t, c, "POST", srv.URL+"/logout", url.Values{})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
			t.Fatalf("logout: %s", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL OR end_reason <> 'logout'`); n != 0 {
			t.Errorf("logout left %d sessions live on the server", n)
		}
		res, _ = do(t, c, "GET", srv.URL+"/account", nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Faccount" {
			t.Errorf("account after logout: %s → %q", res.Status, res.Header.Get("Location"))
		}
	})
}

func sessionCookie(t *testing.T, res *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range res.Cookies() {
		if strings.HasSuffix(c.Name, "dargo_session") {
			return c
		}
	}
	t.Fatalf("no session cookie in %v", res.Header["Set-Cookie"])
	return nil
}

// TestKnownAndUnknownAddressesLookAlike: nobody learns from the answer whether
// an address has an account; an unknown address becomes a customer only when
// its link is confirmed.
func TestKnownAndUnknownAddressesLookAlike(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := db.SetRole(context.Background(), "known@example.com", "staff"); err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db, testRedis(t), Opts{})
		var answers []string
		for _, addr := range []string{"known@example.com", "unknown@example.com"} {
			res, body := do(t, browser(t), "POST", srv.URL+"/login", url.Values{"email": {addr}})
			answers = append(answers, res.Status+" "+res.Header.Get("Location")+" "+body)
		}
		if answers[0] != answers[1] {
			t.Errorf("answers differ:\n%s\n%s", answers[0], answers[1])
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users WHERE email = 'unknown@example.com'`); n != 0 {
			t.Error("asking for a link created an account")
		}
		signIn(t, srv, db, browser(t), "unknown@example.com")
		u, err := db.UserByEmail(context.Background(), "unknown@example.com")
		if err != nil || u.Role != "customer" {
			t.Errorf("after confirming: %+v, %v", u, err)
		}
	})
}

func TestInvalidEmailIsAClearError(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{})
		for _, addr := range []string{"", "not-an-address", "Ada <ada@example.com>", strings.Repeat("a", 250) + "@example.com"} {
			res, body := do(t, browser(t), "POST", srv.URL+"/login", url.Values{"email": {addr}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Enter an email address") {
				t.Errorf("email %q: %s", addr, res.Status)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails`); n != 0 {
			t.Errorf("%d mails queued for invalid addresses", n)
		}
	})
}

// TestLinkExpiresAfterFifteenMinutes uses an injected clock.
func TestLinkExpiresAfterFifteenMinutes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		clk := withClock(db)
		srv := newServer(t, db, testRedis(t), Opts{})
		c := browser(t)
		do(t, c, "POST", srv.URL+"/login", url.Values{"email": {"ada@example.com"}})
		link, token := tokenFromMail(t, db, "ada@example.com")
		clk.Add(TokenTTL - time.Second)
		if res, _ := do(t, c, "GET", link, nil); res.StatusCode != 200 {
			t.Errorf("link dead before 15 minutes: %s", res.Status)
		}
		clk.Add(time.Second)
		res, body := do(t, c, "GET", link, nil)
		if res.StatusCode != http.StatusGone || !strings.Contains(body, "expired") || !strings.Contains(body, "Get a new link") {
			t.Errorf("GET expired link: %s\n%s", res.Status, body)
		}
		res, body = do(t, c, "POST", srv.URL+"/login/confirm", url.Values{"token": {token}})
		if res.StatusCode != http.StatusGone || !strings.Contains(body, "expired") || len(res.Cookies()) != 0 {
			t.Errorf("POST expired link: %s", res.Status)
		}
		if res, _ := do(t, c, "GET", srv.URL+"/login/confirm?token=garbage", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("garbage token: %s", res.Status)
		}
	})
}

// TestSessionExpiresAfterSevenDays uses an injected clock: the lifetime is
// absolute, however busy the session.
func TestSessionExpiresAfterSevenDays(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		clk := withClock(db)
		srv := newServer(t, db, testRedis(t), Opts{})
		c := browser(t)
		signIn(t, srv, db, c, "ada@example.com")
		for range 6 {
			clk.Add(24 * time.Hour)
			if res, _ := do(t, c, "GET", srv.URL+"/account", nil); res.StatusCode != 200 {
				t.Fatalf("session dead before 7 days: %s", res.Status)
			}
		}
		clk.Add(24*time.Hour - time.Second)
		if res, _ := do(t, c, "GET", srv.URL+"/account", nil); res.StatusCode != 200 {
			t.Fatalf("session dead a second before 7 days: %s", res.Status)
		}
		clk.Add(time.Second)
		res, _ := do(t, c, "GET", srv.URL+"/account", nil)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("session alive at 7 days: %s", res.Status)
		}
		if ck := sessionCookie(t, res); ck.MaxAge >= 0 {
			t.Errorf("expired session's cookie not cleared: %+v", ck)
		}
	})
}

// TestTokenIsBoundToItsAddress: a link signs in only the address it was
// mailed to, whatever the form says, and a login replaces the browser's
// previous session (rotation).
func TestTokenIsBoundToItsAddress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{})
		c := browser(t)
		signIn(t, srv, db, c, "bob@example.com")
		_, bobOld, _ := db.SessionUser(context.Background(), hashSecret(cookieValue(t, c, srv.URL)))
		if bobOld == nil {
			t.Fatal("bob has no session")
		}
		oldValue := cookieValue(t, c, srv.URL)

		do(t, c, "POST", srv.URL+"/login", url.Values{"email": {"ada@example.com"}})
		_, token := tokenFromMail(t, db, "ada@example.com")
		res, _ := do(t, c, "POST", srv.URL+"/login/confirm", url.Values{"token": {token}, "email": {"bob@example.com"}, "user_id": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %s", res.Status)
		}
		_, body := do(t, c, "GET", srv.URL+"/account", nil)
		if !strings.Contains(body, "ada@example.com") || strings.Contains(body, "bob@example.com") {
			t.Errorf("ada's link signed in someone else:\n%s", body)
		}
		if _, _, err := db.SessionUser(context.Background(), hashSecret(oldValue)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the browser's previous session survived the login: %v", err)
		}
		if cookieValue(t, c, srv.URL) == oldValue {
			t.Error("session id not rotated at login")
		}
	})
}

func cookieValue(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "dargo_session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie in the jar")
	return ""
}

// TestSecureCookieOnHTTPS: behind https the cookie is Secure and __Host-.
func TestSecureCookieOnHTTPS(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{BaseURL: "https://help.example.com"})
		c := browser(t)
		do(t, c, "POST", srv.URL+"/login", url.Values{"email": {"ada@example.com"}})
		link, token := tokenFromMail(t, db, "ada@example.com")
		if !strings.HasPrefix(link, "https://help.example.com/login/confirm?token=") {
			t.Errorf("link %q", link)
		}
		res, _ := do(t, c, "POST", srv.URL+"/login/confirm", url.Values{"token": {token}})
		ck := sessionCookie(t, res)
		if ck.Name != "__Host-dargo_session" || !ck.Secure || !ck.HttpOnly || ck.Path != "/" || ck.Domain != "" {
			t.Errorf("cookie: %+v", ck)
		}
	})
}

func TestLogoutEverywhere(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{})
		phone, laptop := browser(t), browser(t)
		signIn(t, srv, db, phone, "ada@example.com")
		signIn(t, srv, db, laptop, "ada@example.com")
		_, body := do(t, laptop, "GET", srv.URL+"/account", nil)
		if strings.Count(body, "<tr><td data-label=") < 3 {
			t.Errorf("account page does not list both sessions and the logins:\n%s", body)
		}
		if res, _ := do(t, laptop, "POST", srv.URL+"/logout/everywhere", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout everywhere: %s", res.Status)
		}
		for name, c := range map[string]*http.Client{"phone": phone, "laptop": laptop} {
			if res, _ := do(t, c, "GET", srv.URL+"/account", nil); res.StatusCode != http.StatusSeeOther {
				t.Errorf("%s still signed in: %s", name, res.Status)
			}
		}
	})
}

// TestNoOpenRedirect: "next" only ever leads to a path on this site.
func TestNoOpenRedirect(t *testing.T) {
	for in, want := range map[string]string{
		"/account":                     "/account",
		"/tickets/5?tab=2":             "/tickets/5?tab=2",
		"":                             "/",
		"//evil.example/x":             "/",
		"/\\evil.example":              "/",
		"https://evil.example/":        "/",
		"javascript:alert(1)":          "/",
		"/\t/evil.example":             "/",
		"/%0d%0aSet-Cookie:x":          "/%0d%0aSet-Cookie:x",
		"evil.example":                 "/",
		"/" + strings.Repeat("a", 600): "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{})
		c := browser(t)
		do(t, c, "POST", srv.URL+"/login", url.Values{"email": {"ada@example.com"}, "next": {"//evil.example/phish"}})
		_, token := tokenFromMail(t, db, "ada@example.com")
		res, _ := do(t, c, "POST", srv.URL+"/login/confirm", url.Values{"token": {token}})
		if loc := res.Header.Get("Location"); loc != "/" {
			t.Errorf("after login redirected to %q", loc)
		}
	})
}
