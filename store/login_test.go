package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// clock is a settable clock for db.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func withClock(db *store.DB) *clock {
	c := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	return c
}

func requestLogin(t *testing.T, db *store.DB, email, hash string) {
	t.Helper()
	err := db.RequestLogin(context.Background(), store.LoginRequest{TokenHash: hash, Email: email, Next: "/account",
		IP: "192.0.2.1", UserAgent: "test", SealedLink: "sealed-" + hash, TTL: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
}

func confirm(db *store.DB, token, session string) (*store.LoggedIn, error) {
	return db.ConfirmLogin(context.Background(), store.Login{TokenHash: token, SessionHash: session,
		IP: "198.51.100.7", UserAgent: "Firefox", Turnstile: "passed", SessionTTL: 7 * 24 * time.Hour})
}

func TestRequestLoginQueuesMailWithoutCreatingUser(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		requestLogin(t, db, " New@Example.com", "h1")
		if n := count(t, db, `SELECT COUNT(*) FROM users`); n != 0 {
			t.Errorf("users = %d, want 0 before the link is confirmed", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'magic_link' AND to_email = 'new@example.com'`); n != 1 {
			t.Errorf("magic link emails = %d, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE payload LIKE '%sealed-h1%'`); n != 1 {
			t.Errorf("outbox rows with the sealed link = %d, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM login_tokens WHERE token_hash = 'h1' AND email = 'new@example.com'`); n != 1 {
			t.Errorf("token rows = %d, want 1", n)
		}
	})
}

func TestConfirmLogin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		c := withClock(db)
		ctx := context.Background()
		requestLogin(t, db, "ada@example.com", "tok")
		if email, err := db.TokenEmail(ctx, "tok"); err != nil || email != "ada@example.com" {
			t.Fatalf("TokenEmail = %q, %v", email, err)
		}
		c.Add(14*time.Minute + 59*time.Second)
		in, err := confirm(db, "tok", "sess")
		if err != nil {
			t.Fatal(err)
		}
		if in.User.Email != "ada@example.com" || in.User.Role != "customer" || in.Next != "/account" {
			t.Errorf("logged in %+v next %q", in.User, in.Next)
		}
		if want := c.Now().Add(7 * 24 * time.Hour); !in.ExpiresAt.Equal(want) {
			t.Errorf("expires %v, want %v", in.ExpiresAt, want)
		}
		if _, err := confirm(db, "tok", "sess2"); !errors.Is(err, store.ErrTokenUsed) {
			t.Errorf("second confirm: %v, want ErrTokenUsed", err)
		}
		if _, err := db.TokenEmail(ctx, "tok"); !errors.Is(err, store.ErrTokenUsed) {
			t.Errorf("TokenEmail after use: %v", err)
		}
		if _, err := confirm(db, "nope", "sess3"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown token: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM logins WHERE ip = '198.51.100.7' AND user_agent = 'Firefox' AND turnstile = 'passed'`); n != 1 {
			t.Errorf("login records = %d, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sessions`); n != 1 {
			t.Errorf("sessions = %d, want 1", n)
		}
	})
}

func TestTokenExpiresAtFifteenMinutes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		c := withClock(db)
		requestLogin(t, db, "ada@example.com", "tok")
		c.Add(15 * time.Minute)
		if _, err := db.TokenEmail(context.Background(), "tok"); !errors.Is(err, store.ErrTokenExpired) {
			t.Errorf("TokenEmail: %v, want ErrTokenExpired", err)
		}
		if _, err := confirm(db, "tok", "sess"); !errors.Is(err, store.ErrTokenExpired) {
			t.Errorf("confirm: %v, want ErrTokenExpired", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users`); n != 0 {
			t.Errorf("an expired link created %d users", n)
		}
	})
}

func TestConcurrentConfirmsSpendTokenOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		requestLogin(t, db, "ada@example.com", "tok")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { _, errs[i] = confirm(db, "tok", "sess"+string(rune('a'+i))) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrTokenUsed):
			default:
				t.Errorf("confirm: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d confirms succeeded, want 1", ok)
		}
	})
}

func TestSessions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		c := withClock(db)
		ctx := context.Background()
		requestLogin(t, db, "ada@example.com", "t1")
		requestLogin(t, db, "ada@example.com", "t2")
		requestLogin(t, db, "ada@example.com", "t3")
		first, err := confirm(db, "t1", "s1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := confirm(db, "t2", "s2"); err != nil {
			t.Fatal(err)
		}
		s, u, err := db.SessionUser(ctx, "s1")
		if err != nil || u.ID != first.User.ID || s.UserID != u.ID || u.Email != "ada@example.com" || s.IP != "198.51.100.7" {
			t.Fatalf("SessionUser = %+v %+v %v", s, u, err)
		}

		// Last seen moves at most once a minute.
		c.Add(30 * time.Second)
		if err := db.TouchSession(ctx, s.ID); err != nil {
			t.Fatal(err)
		}
		if s2, _, _ := db.SessionUser(ctx, "s1"); !s2.LastSeenAt.Equal(s.LastSeenAt) {
			t.Errorf("last seen moved after 30 s: %v", s2.LastSeenAt)
		}
		c.Add(31 * time.Second)
		if err := db.TouchSession(ctx, s.ID); err != nil {
			t.Fatal(err)
		}
		if s2, _, _ := db.SessionUser(ctx, "s1"); !s2.LastSeenAt.Equal(c.Now()) {
			t.Errorf("last seen %v, want %v", s2.LastSeenAt, c.Now())
		}

		// A login from a browser that held s2 replaces it.
		if _, err := db.ConfirmLogin(ctx, store.Login{TokenHash: "t3", SessionHash: "s3", Replaces: "s2", SessionTTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionUser(ctx, "s2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("replaced session still live: %v", err)
		}
		if err := db.Logout(ctx, "s3"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionUser(ctx, "s3"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("logged out session still live: %v", err)
		}

		// Seven days, absolute.
		c.Add(7*24*time.Hour - time.Minute - 2*time.Second)
		if _, _, err := db.SessionUser(ctx, "s1"); err != nil {
			t.Errorf("session dead before 7 days: %v", err)
		}
		c.Add(time.Second)
		if _, _, err := db.SessionUser(ctx, "s1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session live at 7 days: %v", err)
		}
	})
}

func TestLogoutEverywhereAndRoles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, h := range []string{"a", "b"} {
			requestLogin(t, db, "ada@example.com", "t"+h)
			if _, err := confirm(db, "t"+h, "s"+h); err != nil {
				t.Fatal(err)
			}
		}
		requestLogin(t, db, "bob@example.com", "tb2")
		bob, err := confirm(db, "tb2", "sbob")
		if err != nil {
			t.Fatal(err)
		}
		_, ada, _ := db.SessionUser(ctx, "sa")
		if list, err := db.Sessions(ctx, ada.ID); err != nil || len(list) != 2 {
			t.Fatalf("sessions %d, %v", len(list), err)
		}
		if n, err := db.LogoutEverywhere(ctx, ada.ID); err != nil || n != 2 {
			t.Errorf("logout everywhere = %d, %v", n, err)
		}
		if _, _, err := db.SessionUser(ctx, "sbob"); err != nil {
			t.Errorf("bob's session went too: %v", err)
		}

		if _, err := db.SetRole(ctx, "Bob@example.com", "admin"); err != nil {
			t.Fatal(err)
		}
		if _, u, _ := db.SessionUser(ctx, "sbob"); u.Role != "admin" || u.ID != bob.User.ID {
			t.Errorf("role after SetRole: %+v", u)
		}
		if _, err := db.SetRole(ctx, "carol@example.com", "staff"); err != nil {
			t.Fatal(err)
		}
		staff, err := db.Staff(ctx)
		if err != nil || len(staff) != 2 || staff[0].Email != "bob@example.com" || staff[1].Role != "staff" {
			t.Errorf("staff = %+v, %v", staff, err)
		}
		if logins, err := db.Logins(ctx, ada.ID, 10); err != nil || len(logins) != 2 {
			t.Errorf("logins = %d, %v", len(logins), err)
		}
	})
}

func TestSweepTokensAndSessions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		c := withClock(db)
		ctx := context.Background()
		for _, h := range []string{"a", "b", "c", "d", "e"} {
			requestLogin(t, db, "ada@example.com", "t"+h)
		}
		if _, err := confirm(db, "ta", "sa"); err != nil {
			t.Fatal(err)
		}
		c.Add(10 * time.Minute)
		requestLogin(t, db, "ada@example.com", "fresh")
		c.Add(6 * time.Minute)
		n, err := db.SweepLoginTokens(ctx, 2)
		if err != nil || n != 5 {
			t.Errorf("swept %d tokens, %v; want 5", n, err)
		}
		if _, err := db.TokenEmail(ctx, "fresh"); err != nil {
			t.Errorf("fresh token swept: %v", err)
		}
		if n, err := db.SweepSessions(ctx, 100); err != nil || n != 0 {
			t.Errorf("swept %d live sessions, %v", n, err)
		}
		c.Add(7 * 24 * time.Hour)
		if n, err := db.SweepSessions(ctx, 100); err != nil || n != 1 {
			t.Errorf("swept %d sessions, %v; want 1", n, err)
		}
	})
}
