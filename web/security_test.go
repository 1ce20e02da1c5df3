package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/internal/turnstile"
	"github.com/dargo-support/dargo/store"
)

func TestCrossOriginPostIsRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{})
		c := browser(t)
		form := url.Values{"email": {"ada@example.com"}}
		for _, h := range [][]string{
			{"Origin", "https://evil.example"},
			{"Sec-Fetch-Site", "cross-site"},
		} {
			res, body := do(t, c, "POST", srv.URL+"/login", form, h...)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "another site") {
				t.Errorf("POST with %s: %s", h, res.Status)
			}
		}
		// A signed-in victim's logout cannot be forced either.
		signIn(t, srv, db, c, "bob@example.com")
		if res, _ := do(t, c, "POST", srv.URL+"/logout", url.Values{}, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site logout: %s", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'ada@example.com'`); n != 0 {
			t.Errorf("cross-origin requests queued %d mails", n)
		}
		// Same-origin browsers pass.
		if res, _ := do(t, c, "POST", srv.URL+"/login", form, "Origin", srv.URL, "Sec-Fetch-Site", "same-origin"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("same-origin POST: %s", res.Status)
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{})
		for _, path := range []string{"/login", "/nope", "/static/nope.css"} {
			res, _ := do(t, browser(t), "GET", srv.URL+path, nil)
			h := res.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s: CSP %q lacks %q", path, csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("%s: CSP allows inline code: %q", path, csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: headers %v", path, h)
			}
		}
		_, body := do(t, browser(t), "GET", srv.URL+"/login", nil)
		asset := body[strings.Index(body, "/static/"):]
		asset = asset[:strings.IndexByte(asset, '"')]
		res, css := do(t, browser(t), "GET", srv.URL+asset, nil)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.Contains(css, "body{") {
			t.Errorf("GET %s: %s %v", asset, res.Status, res.Header)
		}
		if res, _ := do(t, browser(t), "GET", srv.URL+"/static/app.css", nil); res.StatusCode != 404 {
			t.Errorf("unhashed asset served: %s", res.Status)
		}
	})
}

// TestRateLimitsHoldAcrossReplicas: two web servers on one Redis share each
// budget; the one over it answers 429 with a clear page.
func TestRateLimitsHoldAcrossReplicas(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rdb := testRedis(t)
		limits := Limits{LinksPerAddress: 3, LinksPerIP: 5, ConfirmsPerIP: 2}
		a := newServer(t, db, rdb, Opts{Limits: limits})
		b := newServer(t, db, rdb, Opts{Limits: limits})
		replicas := []*httptest.Server{a, b}

		// Per address: 3 an hour, whichever replica is asked.
		for i := range 3 {
			res, _ := do(t, browser(t), "POST", replicas[i%2].URL+"/login", url.Values{"email": {"ada@example.com"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("request %d: %s", i, res.Status)
			}
		}
		res, body := do(t, browser(t), "POST", b.URL+"/login", url.Values{"email": {"ADA@example.com"}})
		if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Try again in 20 minutes") {
			t.Errorf("4th link for one address: %s\n%s", res.Status, body)
		}
		if secs, _ := strconv.Atoi(res.Header.Get("Retry-After")); secs < 1100 || secs > 1200 {
			t.Errorf("Retry-After %q, want about 20 minutes", res.Header.Get("Retry-After"))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'ada@example.com'`); n != 3 {
			t.Errorf("mails to ada = %d, want 3", n)
		}

		// Per IP: 5 an hour across addresses (4 spent above).
		if res, _ := do(t, browser(t), "POST", a.URL+"/login", url.Values{"email": {"bob@example.com"}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("5th request from the IP: %s", res.Status)
		}
		if res, _ := do(t, browser(t), "POST", b.URL+"/login", url.Values{"email": {"carol@example.com"}}); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("6th request from the IP: %s", res.Status)
		}

		// Confirmations per IP: 2 an hour.
		for i, want := range []int{http.StatusNotFound, http.StatusNotFound, http.StatusTooManyRequests} {
			res, _ := do(t, browser(t), "POST", replicas[i%2].URL+"/login/confirm", url.Values{"token": {strings.Repeat("x", 43)}})
			if res.StatusCode != want {
				t.Errorf("confirm %d: %s, want %d", i, res.Status, want)
			}
		}
	})
}

// TestRedisOutageRefusesLinks: without Redis the limits cannot be kept, so
// no link is sent and the page says to try again.
func TestRedisOutageRefusesLinks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
		srv := newServer(t, db, dead, Opts{})
		unavailable := testutil.ToFloat64(metrics.SigninLinks.WithLabelValues("unavailable"))
		res, body := do(t, browser(t), "POST", srv.URL+"/login", url.Values{"email": {"ada@example.com"}})
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "try again") {
			t.Errorf("POST /login with Redis down: %s\n%s", res.Status, body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails`); n != 0 {
			t.Errorf("%d mails queued with Redis down", n)
		}
		if d := testutil.ToFloat64(metrics.SigninLinks.WithLabelValues("unavailable")) - unavailable; d != 1 {
			t.Errorf("dargo_signin_links_total{result=unavailable} rose by %v, want 1", d)
		}
	})
}

// TestOpsEndpointsNotPublic: health, readiness, metrics and profiles are
// on the ops listener (cmd/dargo), never on the public port.
func TestOpsEndpointsNotPublic(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{})
		for _, path := range []string{"/healthz", "/readyz", "/metrics", "/debug/pprof/", "/debug/vars"} {
			res, body := do(t, browser(t), "GET", srv.URL+path, nil)
			if res.StatusCode != http.StatusNotFound || strings.Contains(body, "dargo_") {
				t.Errorf("GET %s on the public port: %s %.200s", path, res.Status, body)
			}
		}
	})
}

// siteverify is an in-test Cloudflare siteverify endpoint.
type siteverify struct {
	calls  atomic.Int32
	answer func(w http.ResponseWriter, r *http.Request)
}

func (s *siteverify) start(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.calls.Add(1)
		r.ParseForm()
		if r.PostForm.Get("secret") != "ts-secret" || r.PostForm.Get("remoteip") != "127.0.0.1" || r.PostForm.Get("idempotency_key") == "" {
			t.Errorf("siteverify got %v", r.PostForm)
		}
		s.answer(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestTurnstile(t *testing.T) {
	pass := func(w http.ResponseWriter, r *http.Request) {
		ok := r.PostForm.Get("response") == "good-token"
		json.NewEncoder(w).Encode(map[string]any{"success": ok, "hostname": "127.0.0.1", "error-codes": []string{}})
	}
	slow := func(w http.ResponseWriter, r *http.Request) { time.Sleep(2 * time.Second) }
	tests := []struct {
		name       string
		answer     func(http.ResponseWriter, *http.Request)
		token      string
		wantStatus int
		wantText   string
	}{
		{"pass", pass, "good-token", http.StatusSeeOther, ""},
		{"fail", pass, "forged", http.StatusBadRequest, "complete the human check"},
		{"missing", pass, "", http.StatusBadRequest, "complete the human check"},
		{"timeout", slow, "good-token", http.StatusServiceUnavailable, "could not check that you are human"},
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				sv := &siteverify{answer: tc.answer}
				srv := newServer(t, db, testRedis(t), Opts{TurnstileSiteKey: "site-key-1",
					Turnstile: turnstile.Verifier{Secret: "ts-secret", URL: sv.start(t), Timeout: 300 * time.Millisecond}})
				_, page := do(t, browser(t), "GET", srv.URL+"/login", nil)
				if !strings.Contains(page, `data-sitekey="site-key-1"`) || !strings.Contains(page, "challenges.cloudflare.com/turnstile") {
					t.Errorf("login form lacks the widget")
				}
				addr := tc.name + "@example.com"
				res, body := do(t, browser(t), "POST", srv.URL+"/login", url.Values{"email": {addr}, turnstile.FormField: {tc.token}})
				if res.StatusCode != tc.wantStatus || !strings.Contains(body, tc.wantText) {
					t.Fatalf("POST /login: %s\n%s", res.Status, body)
				}
				queued := count(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = ?`, addr)
				if (tc.wantStatus == http.StatusSeeOther) != (queued == 1) {
					t.Errorf("mails queued: %d", queued)
				}
				if tc.token == "" && sv.calls.Load() != 0 {
					t.Errorf("siteverify called without a token")
				}
				if tc.wantStatus != http.StatusSeeOther {
					if !strings.Contains(body, `value="`+addr+`"`) {
						t.Errorf("the form lost what was typed")
					}
					return
				}
				// The confirm form is public too; its outcome is recorded with the login.
				c := browser(t)
				_, token := tokenFromMail(t, db, addr)
				res, _ = do(t, c, "POST", srv.URL+"/login/confirm", url.Values{"token": {token}})
				if res.StatusCode != http.StatusBadRequest {
					t.Errorf("confirm without Turnstile: %s", res.Status)
				}
				res, _ = do(t, c, "POST", srv.URL+"/login/confirm", url.Values{"token": {token}, turnstile.FormField: {"good-token"}})
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("confirm: %s", res.Status)
				}
				if n := count(t, db, `SELECT COUNT(*) FROM logins l JOIN users u ON u.id = l.user_id WHERE u.email = ? AND l.turnstile = 'passed'`, addr); n != 1 {
					t.Errorf("login records with turnstile=passed: %d", n)
				}
			})
		}
	})
}

// TestRoles: authorization comes from the session's user on every request.
func TestRoles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := newServer(t, db, testRedis(t), Opts{})
		clients := map[string]*http.Client{}
		for _, who := range []string{"customer", "staff", "admin"} {
			addr := who + "@example.com"
			if who != "customer" {
				if _, err := db.SetRole(ctx, addr, who); err != nil {
					t.Fatal(err)
				}
			}
			clients[who] = browser(t)
			signIn(t, srv, db, clients[who], addr)
		}
		if res, _ := do(t, browser(t), "GET", srv.URL+"/admin/staff", nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous /admin/staff: %s", res.Status)
		}
		for who, want := range map[string]int{"customer": 403, "staff": 403, "admin": 200} {
			res, body := do(t, clients[who], "GET", srv.URL+"/admin/staff?role=admin", nil, "X-Role", "admin")
			if res.StatusCode != want {
				t.Errorf("%s GET /admin/staff: %s", who, res.Status)
			}
			if want == 200 && (!strings.Contains(body, "staff@example.com") || strings.Contains(body, "customer@example.com")) {
				t.Errorf("staff list:\n%s", body)
			}
		}
		// Taking the role away takes effect on the next request.
		if _, err := db.SetRole(ctx, "admin@example.com", "customer"); err != nil {
			t.Fatal(err)
		}
		if res, _ := do(t, clients["admin"], "GET", srv.URL+"/admin/staff", nil); res.StatusCode != 403 {
			t.Errorf("demoted admin: %s", res.Status)
		}
	})
}

func TestClientIP(t *testing.T) {
	trusted, err := ParseProxies("10.0.0.0/8, 192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, remote, cf, xff, want string
	}{
		{"direct", "203.0.113.9:5555", "", "", "203.0.113.9"},
		{"untrusted peer cannot claim", "203.0.113.9:5555", "1.2.3.4", "1.2.3.4", "203.0.113.9"},
		{"cloudflare header from trusted proxy", "10.1.2.3:80", "198.51.100.7", "6.6.6.6", "198.51.100.7"},
		{"right-most untrusted hop", "192.0.2.1:80", "", "6.6.6.6, 198.51.100.7, 10.0.0.5", "198.51.100.7"},
		{"only trusted hops", "10.1.2.3:80", "", "10.0.0.5", "10.1.2.3"},
		{"garbage hop stops the walk", "10.1.2.3:80", "", "198.51.100.7, junk", "10.1.2.3"},
		{"ipv6 peer", "[2001:db8::1]:443", "", "", "2001:db8::1"},
		{"garbage cloudflare header", "10.1.2.3:80", "nope", "198.51.100.8", "198.51.100.8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			if tc.cf != "" {
				r.Header.Set("CF-Connecting-IP", tc.cf)
			}
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if got := clientIP(r, trusted, true); got != tc.want {
				t.Errorf("clientIP = %q, want %q", got, tc.want)
			}
		})
	}
	// Behind a proxy that is not Cloudflare, the header is the client's.
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.2.3:80"
	r.Header.Set("CF-Connecting-IP", "1.2.3.4")
	r.Header.Set("X-Forwarded-For", "198.51.100.9")
	if got := clientIP(r, trusted, false); got != "198.51.100.9" {
		t.Errorf("CF-Connecting-IP trusted without Cloudflare: %q", got)
	}
	for ip, want := range map[string]string{"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64", "198.51.100.7": "198.51.100.7", "junk": "junk"} {
		if got := ipBucket(ip); got != want {
			t.Errorf("ipBucket(%q) = %q, want %q", ip, got, want)
		}
	}
	if _, err := ParseProxies("10.0.0.0/33"); err == nil {
		t.Error("a bad prefix was accepted")
	}
	if p, _ := ParseProxies(""); len(p) != 0 {
		t.Error("empty list not empty")
	}
}
