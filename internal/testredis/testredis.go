// Package testredis gives tests a Redis: the real one at
// DARGO_TEST_REDIS_URL when it is set, else an in-process miniredis.
//
// A test names the database number it uses, so packages whose tests run in
// parallel do not share one; the database is flushed before the test. When
// DARGO_TEST_REQUIRE_SERVICES=1 (as in CI) a missing or unreachable Redis
// fails the test instead of falling back to miniredis.
package testredis

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Redis is a test's Redis: its address and database, and miniredis when
// the test runs on it (nil on a real Redis).
type Redis struct {
	Addr     string
	DB       int
	Password string
	Mini     *miniredis.Miniredis
}

// Open returns a flushed Redis database db for the test.
func Open(t testing.TB, db int) *Redis {
	t.Helper()
	raw := os.Getenv("DARGO_TEST_REDIS_URL")
	if raw == "" {
		if os.Getenv("DARGO_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("DARGO_TEST_REDIS_URL is not set but DARGO_TEST_REQUIRE_SERVICES=1")
		}
		m := miniredis.RunT(t)
		m.Select(db)
		return &Redis{Addr: m.Addr(), DB: db, Mini: m}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "redis" || u.Host == "" {
		t.Fatalf("DARGO_TEST_REDIS_URL %q: want redis://host:port[/db]", raw)
	}
	pass, _ := u.User.Password()
	r := &Redis{Addr: u.Host, DB: db, Password: pass}
	c := r.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.FlushDB(ctx).Err(); err != nil {
		t.Fatalf("Redis at DARGO_TEST_REDIS_URL: %v", err)
	}
	return r
}

// Addr returns the address and database of a flushed Redis database db.
func Addr(t testing.TB, db int) (addr string, redisDB int) {
	t.Helper()
	r := Open(t, db)
	return r.Addr, r.DB
}

// Client returns a client on the test's database, closed at cleanup.
func (r *Redis) Client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(r.Options())
	t.Cleanup(func() { c.Close() })
	return c
}

// Options returns go-redis options for the test's database.
func (r *Redis) Options() *redis.Options {
	return &redis.Options{Addr: r.Addr, DB: r.DB, Password: r.Password}
}
