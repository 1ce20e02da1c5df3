package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkStaffTicket200 renders a staff ticket page with a 200-message
// thread in process, on PostgreSQL (profile with -cpuprofile).
func BenchmarkStaffTicket200(b *testing.B) {
	ctx := context.Background()
	db := testdb.Open(b, store.Postgres)
	if err := db.Seed(ctx, store.SeedOpts{Tickets: 10, Messages: 300, Customers: 2, BigThread: 200}); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SetRole(ctx, "agent@example.com", "staff"); err != nil {
		b.Fatal(err)
	}
	h, secret := benchDesk(b, db, "agent@example.com", "")
	var number int64
	if err := db.X.Get(&number, `SELECT number FROM tickets WHERE id = (SELECT ticket_id FROM messages GROUP BY ticket_id ORDER BY COUNT(*) DESC LIMIT 1)`); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		w := benchGet(h, "/inbox/tickets/"+itoa(number), secret)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// benchDesk signs email in from a browser with user agent ua and returns
// the web handler over db with the session cookie's value, for benchmarks
// that serve pages in process.
func benchDesk(b *testing.B, db *store.DB, email, ua string) (http.Handler, string) {
	ctx := context.Background()
	secret, hash := newSecret()
	if err := db.RequestLogin(ctx, store.LoginRequest{TokenHash: "t", Email: email, TTL: time.Hour}); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ConfirmLogin(ctx, store.Login{TokenHash: "t", SessionHash: hash, SessionTTL: time.Hour, UserAgent: ua}); err != nil {
		b.Fatal(err)
	}
	h, err := New(Opts{Store: db, Redis: testredis.Open(b, redisDB).Client(b), BaseURL: "http://127.0.0.1", Secret: testSecret,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	return h, secret
}

// benchGet serves GET path to the holder of the session cookie secret.
func benchGet(h http.Handler, path, secret string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = "127.0.0.1:1"
	req.AddCookie(&http.Cookie{Name: "dargo_session", Value: secret})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}
