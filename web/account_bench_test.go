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

// BenchmarkAccountPage renders a customer's /account in process, on
// PostgreSQL: the queries every signed-in page makes (session, banner, usage
// event) and the account page's own (profile with -cpuprofile).
func BenchmarkAccountPage(b *testing.B) {
	ctx := context.Background()
	db := testdb.Open(b, store.Postgres)
	secret, hash := newSecret()
	if err := db.RequestLogin(ctx, store.LoginRequest{TokenHash: "t", Email: "ada@example.com", TTL: time.Hour}); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ConfirmLogin(ctx, store.Login{TokenHash: "t", SessionHash: hash, SessionTTL: time.Hour,
		UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"}); err != nil {
		b.Fatal(err)
	}
	h, err := New(Opts{Store: db, Redis: testredis.Open(b, redisDB).Client(b), BaseURL: "http://127.0.0.1", Secret: testSecret,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest("GET", "/account", nil)
		req.RemoteAddr = "127.0.0.1:1"
		req.AddCookie(&http.Cookie{Name: "dargo_session", Value: secret})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
