package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/internal/testredis"
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
		opts.Secret = "web-test-secret-0123456789"
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
