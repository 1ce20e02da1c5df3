package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// User agents of the browsers in these tests.
const (
	chromeMac     = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	safariIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
	firefoxWindow = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)

// signInFrom confirms a fresh sign-in link for addr from a browser with
// the user agent, replacing the session replaces when not "".
func signInFrom(t *testing.T, db *store.DB, addr, session, ua, replaces string) *store.User {
	t.Helper()
	mailLink(t, db, "login-"+session, store.PurposeLogin, addr, 0)
	in, err := db.ConfirmLogin(context.Background(), store.Login{TokenHash: "login-" + session, SessionHash: session, Replaces: replaces,
		IP: "198.51.100.7", UserAgent: ua, SessionTTL: 7 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return in.User
}

// storedSession returns the session with this hash, ended or not.
func storedSession(t *testing.T, db *store.DB, hash string) store.Session {
	t.Helper()
	var s store.Session
	if err := db.X.Get(&s, db.X.Rebind(`SELECT * FROM sessions WHERE token_hash = ?`), hash); err != nil {
		t.Fatalf("session %s: %v", hash, err)
	}
	return s
}

// wantEnded checks how and when the session ended and how long it lasted.
func wantEnded(t *testing.T, db *store.DB, hash, reason string, at time.Time, lasted time.Duration) {
	t.Helper()
	s := storedSession(t, db, hash)
	if s.EndReason != reason || s.EndedAt == nil || !s.EndedAt.Equal(at) {
		t.Errorf("session %s ended %v as %q, want %v as %q", hash, s.EndedAt, s.EndReason, at, reason)
	}
	if d := s.Duration(at.Add(time.Hour)); d != lasted {
		t.Errorf("session %s lasted %v, want %v", hash, d, lasted)
	}
	if sessionAlive(t, db, hash) {
		t.Errorf("ended session %s still signs in", hash)
	}
}

// TestSessionEnds: every way a session ends keeps the row with when and
// why, so its duration is known, and none of them signs in any more.
func TestSessionEnds(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := withClock(db)
		t0 := c.Now()
		ada := signInFrom(t, db, "ada@example.com", "laptop", chromeMac, "")
		signInFrom(t, db, "ada@example.com", "phone", safariIPhone, "")
		signInFrom(t, db, "ada@example.com", "work", firefoxWindow, "")

		// What the browser was is parsed once, on the session and the login.
		s := storedSession(t, db, "laptop")
		if s.Browser != "Chrome" || s.OS != "macOS" || s.Device != "desktop" || s.UserAgent != chromeMac || s.EndedAt != nil || s.EndReason != "" {
			t.Errorf("new session = %+v", s)
		}
		logins, err := db.Logins(ctx, ada.ID, 10)
		if err != nil || len(logins) != 3 || logins[0].Browser != "Firefox" || logins[0].OS != "Windows" || logins[0].Device != "desktop" ||
			logins[1].Browser != "Safari" || logins[1].OS != "iOS" || logins[1].Device != "mobile" || logins[1].UserAgent != safariIPhone {
			t.Errorf("logins = %+v, %v", logins, err)
		}

		// Logout: 2 h 10 min after signing in.
		c.Add(2*time.Hour + 10*time.Minute)
		if err := db.Logout(ctx, "laptop"); err != nil {
			t.Fatal(err)
		}
		wantEnded(t, db, "laptop", store.EndLogout, c.Now(), 2*time.Hour+10*time.Minute)
		// A second logout changes nothing.
		c.Add(time.Minute)
		if err := db.Logout(ctx, "laptop"); err != nil {
			t.Fatal(err)
		}
		wantEnded(t, db, "laptop", store.EndLogout, t0.Add(2*time.Hour+10*time.Minute), 2*time.Hour+10*time.Minute)

		// Signing in again from the phone replaces its session.
		signInFrom(t, db, "ada@example.com", "phone2", safariIPhone, "phone")
		wantEnded(t, db, "phone", store.EndReplaced, c.Now(), 2*time.Hour+11*time.Minute)

		// Logout everywhere ends the two live ones, and counts only those.
		c.Add(time.Hour)
		live, err := db.Sessions(ctx, ada.ID)
		if err != nil || len(live) != 2 {
			t.Fatalf("live sessions = %d, %v; want work and phone2", len(live), err)
		}
		if n, err := db.LogoutEverywhere(ctx, ada.ID); err != nil || n != 2 {
			t.Errorf("logout everywhere ended %d, %v; want 2", n, err)
		}
		wantEnded(t, db, "work", store.EndRevoked, c.Now(), 3*time.Hour+11*time.Minute)
		wantEnded(t, db, "phone2", store.EndRevoked, c.Now(), time.Hour)
		if live, err := db.Sessions(ctx, ada.ID); err != nil || len(live) != 0 {
			t.Errorf("live sessions after logout everywhere = %d, %v", len(live), err)
		}

		ended, err := db.EndedSessions(ctx, ada.ID, 10)
		if err != nil || len(ended) != 4 || ended[3].TokenHash != "laptop" {
			t.Errorf("ended sessions = %+v, %v; want 4, the laptop's last", ended, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sessions`); n != 4 {
			t.Errorf("sessions kept = %d, want 4", n)
		}
	})
}

// TestSessionExpiry: the sweep ends sessions past their 7 days as expired,
// at their expiry, whenever it runs; their duration is until last seen.
// Sessions already ended keep their end, and a logout of an expired session
// the sweep has not reached leaves it to the sweep.
func TestSessionExpiry(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := withClock(db)
		t0 := c.Now()
		signInFrom(t, db, "ada@example.com", "idle", chromeMac, "")
		signInFrom(t, db, "ada@example.com", "out", chromeMac, "")
		signInFrom(t, db, "ada@example.com", "late", chromeMac, "")
		c.Add(time.Hour)
		if err := db.Logout(ctx, "out"); err != nil {
			t.Fatal(err)
		}
		c.Add(50 * time.Hour)
		s := storedSession(t, db, "idle")
		if err := db.TouchSession(ctx, s.ID); err != nil {
			t.Fatal(err)
		}

		c.Add(7 * 24 * time.Hour) // past the expiry; the sweep has not run
		if err := db.Logout(ctx, "late"); err != nil {
			t.Fatal(err)
		}
		if s := storedSession(t, db, "late"); s.EndedAt != nil {
			t.Errorf("logout ended an expired session as %q", s.EndReason)
		}
		if n, err := db.SweepSessions(ctx, 1); err != nil || n != 2 {
			t.Errorf("sweep ended %d, %v; want 2", n, err)
		}
		expiry := t0.Add(7 * 24 * time.Hour)
		wantEnded(t, db, "idle", store.EndExpired, expiry, 51*time.Hour)
		wantEnded(t, db, "late", store.EndExpired, expiry, 0)
		wantEnded(t, db, "out", store.EndLogout, t0.Add(time.Hour), time.Hour)
		if n, err := db.SweepSessions(ctx, 1); err != nil || n != 0 {
			t.Errorf("second sweep ended %d, %v; want 0", n, err)
		}
	})
}

// TestEndedSessionsRetention: ended sessions go with the sign-in records,
// DARGO_LOGIN_LOG_DAYS after they ended.
func TestEndedSessionsRetention(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := withClock(db)
		const day = 24 * time.Hour
		signInFrom(t, db, "ada@example.com", "old", chromeMac, "")
		signInFrom(t, db, "ada@example.com", "recent", chromeMac, "")
		if err := db.Logout(ctx, "old"); err != nil {
			t.Fatal(err)
		}
		c.Add(5 * day)
		if err := db.Logout(ctx, "recent"); err != nil {
			t.Fatal(err)
		}
		signInFrom(t, db, "ada@example.com", "live", chromeMac, "")
		c.Add(90*day - 4*day)
		if _, err := db.SweepLoginLog(ctx, 90*day, 10); err != nil {
			t.Fatal(err)
		}
		var left []string
		if err := db.X.Select(&left, `SELECT token_hash FROM sessions ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		if len(left) != 2 || left[0] != "recent" || left[1] != "live" {
			t.Errorf("sessions after retention = %v, want recent and live", left)
		}
	})
}

// TestEraseDeletesEndedSessions: erasure deletes sessions, ended ones too.
func TestEraseDeletesEndedSessions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		withClock(db)
		ada := signInFrom(t, db, "ada@example.com", "a1", chromeMac, "")
		signInFrom(t, db, "ada@example.com", "a2", safariIPhone, "")
		signInFrom(t, db, "bob@example.com", "b1", firefoxWindow, "")
		if err := db.Logout(ctx, "a1"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Erase(ctx, ada.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sessions WHERE user_id = ?`, ada.ID); n != 0 {
			t.Errorf("erasure left %d sessions", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM logins WHERE user_id = ?`, ada.ID); n != 0 {
			t.Errorf("erasure left %d logins", n)
		}
		if !sessionAlive(t, db, "b1") {
			t.Error("bob's session went with ada's")
		}
	})
}

// TestAddressChangeRevokesSessions: an address change ends every session
// as revoked, not deleted.
func TestAddressChangeRevokesSessions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := withClock(db)
		ada := signInFrom(t, db, "ada@example.com", "laptop", chromeMac, "")
		c.Add(time.Hour)
		mailLink(t, db, "move", store.PurposeEmailChange, "ada@new.example", ada.ID)
		if _, err := db.ChangeEmail(ctx, "move", undoLink("move")); err != nil {
			t.Fatal(err)
		}
		wantEnded(t, db, "laptop", store.EndRevoked, c.Now(), time.Hour)
	})
}

// TestExportSessionsAndLogins: the export gives each session its browser,
// start, end, how it ended and how long it lasted, and each sign-in its
// browser, under the JSON names the README documents.
func TestExportSessionsAndLogins(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := withClock(db)
		t0 := c.Now()
		signInFrom(t, db, "ada@example.com", "laptop", chromeMac, "")
		c.Add(2*time.Hour + 10*time.Minute)
		if err := db.Logout(ctx, "laptop"); err != nil {
			t.Fatal(err)
		}
		signInFrom(t, db, "ada@example.com", "phone", safariIPhone, "")
		c.Add(30 * time.Minute)
		phone := storedSession(t, db, "phone")
		if err := db.TouchSession(ctx, phone.ID); err != nil {
			t.Fatal(err)
		}
		c.Add(5 * time.Minute)

		got, err := db.Export(ctx, "ada@example.com", replyTo)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Sessions []map[string]any `json:"sessions"`
			Logins   []map[string]any `json:"logins"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Sessions) != 2 || len(doc.Logins) != 2 {
			t.Fatalf("export has %d sessions and %d logins, want 2 and 2: %s", len(doc.Sessions), len(doc.Logins), raw)
		}
		stamp := func(t time.Time) string { return t.Format(time.RFC3339Nano) }
		wantFields(t, "laptop session", doc.Sessions[0], map[string]any{
			"browser": "Chrome", "os": "macOS", "device": "desktop", "user_agent": chromeMac, "ip": "198.51.100.7",
			"created": stamp(t0), "started_at": stamp(t0), "ended_at": stamp(t0.Add(2*time.Hour + 10*time.Minute)),
			"end_reason": "logout", "duration_seconds": float64(2*3600 + 10*60),
		})
		wantFields(t, "phone session", doc.Sessions[1], map[string]any{
			"browser": "Safari", "os": "iOS", "device": "mobile", "ended_at": nil, "end_reason": "",
			"duration_seconds": float64(30 * 60), // until last seen
		})
		wantFields(t, "first login", doc.Logins[0], map[string]any{
			"browser": "Chrome", "os": "macOS", "device": "desktop", "user_agent": chromeMac, "created": stamp(t0),
		})
		wantFields(t, "second login", doc.Logins[1], map[string]any{"browser": "Safari", "os": "iOS", "device": "mobile"})
	})
}

func wantFields(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		if v, ok := got[k]; !ok || v != w {
			t.Errorf("%s: %s = %#v, want %#v", what, k, v, w)
		}
	}
}
