package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound/mailparse"

	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/outbound"
	"github.com/dargo-support/dargo/store"
)

// redisDB is the web tests' own Redis database (other packages use others).
const redisDB = 11

// testRedis returns a client on a flushed Redis database for the test.
func testRedis(t *testing.T) redis.UniversalClient {
	t.Helper()
	c := testredis.Open(t, redisDB).Client(t)
	return c
}

// newServer serves the web tier over db with opts filled in for tests.
func newServer(t *testing.T, db *store.DB, rdb redis.UniversalClient, opts Opts) *httptest.Server {
	t.Helper()
	opts.Store, opts.Redis = db, rdb
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Secret == "" {
		opts.Secret = testSecret
	}
	srv := httptest.NewUnstartedServer(nil)
	if opts.BaseURL == "" {
		opts.BaseURL = "http://" + srv.Listener.Addr().String()
	}
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// browser is an HTTP client with a cookie jar that does not follow redirects.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// deliverMail sends every queued mail through the real send handler into the
// dev outbox, as the worker would, and returns the newest mail to addr.
func deliverMail(t *testing.T, db *store.DB, secret, addr string) *mailparse.Mail {
	t.Helper()
	ctx := context.Background()
	h := jobs.NewHandlers(jobs.Opts{
		Store:  db,
		Sender: outbound.NewDevOutbox(db),
		Outbound: outbound.Opts{From: outbound.Address{Name: "Dargo", Email: "support@localhost"}, BaseURL: "http://x",
			MailDomain: "localhost", ReplyTo: func(n int64) string { return "support@localhost" },
			StaffReplyTo:   func(n, staff int64) string { return replyaddr.StaffAddr(secret, "support", "localhost", n, staff) },
			ForwardReplyTo: func(n, id int64) string { return replyaddr.ForwardAddr(secret, "support", "localhost", n, id) }},
		Secret: secret,
		Logger: slog.New(slog.DiscardHandler),
	})
	rows, err := db.OutboxDue(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		task, err := jobs.NewEmailSendTask(*r.EmailID, r.Kind)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.HandleEmailSend(ctx, task); err != nil {
			t.Fatalf("send email %d: %v", *r.EmailID, err)
		}
		if err := db.MarkRelayed(ctx, []int64{r.ID}); err != nil {
			t.Fatal(err)
		}
	}
	mails, err := db.DevMails(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if strings.Contains(m.Recipients, addr) {
			full, err := db.DevMailByID(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := mailparse.Parse(full.Raw)
			if err != nil {
				t.Fatal(err)
			}
			return parsed
		}
	}
	t.Fatalf("no mail to %s in the dev outbox", addr)
	return nil
}

var linkRE = regexp.MustCompile(`https?://\S+/login/confirm\?token=([A-Za-z0-9_-]{43})`)

// tokenFromMail returns the link and token in the newest mail to addr.
func tokenFromMail(t *testing.T, db *store.DB, addr string) (link, token string) {
	t.Helper()
	m := deliverMail(t, db, testSecret, addr)
	match := linkRE.FindStringSubmatch(m.Text)
	if match == nil {
		t.Fatalf("no sign-in link in the mail to %s:\n%s", addr, m.Text)
	}
	return match[0], match[1]
}

const testSecret = "web-test-secret-0123456789"

// do sends a request with the browser and returns the response and its body.
func do(t *testing.T, c *http.Client, method, url string, form url.Values, header ...string) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// signIn walks the whole magic-link flow for addr in browser c and returns
// the confirm response.
func signIn(t *testing.T, srv *httptest.Server, db *store.DB, c *http.Client, addr string) *http.Response {
	t.Helper()
	res, _ := do(t, c, "POST", srv.URL+"/login", url.Values{"email": {addr}, "next": {"/account"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /login: %s", res.Status)
	}
	_, token := tokenFromMail(t, db, addr)
	res, _ = do(t, c, "POST", srv.URL+"/login/confirm", url.Values{"token": {token}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /login/confirm: %s", res.Status)
	}
	return res
}

// clock is a settable clock for db.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

func withClock(db *store.DB) *clock {
	c := &clock{now: time.Now().UTC()}
	db.Now = c.Now
	return c
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.X.Get(&n, db.X.Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
