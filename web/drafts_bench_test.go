package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkDraftSave is the script's autosave POST (every few seconds per
// person typing) on PostgreSQL, in process.
func BenchmarkDraftSave(b *testing.B) {
	ctx := context.Background()
	db := testdb.Open(b, store.Postgres)
	if err := db.Seed(ctx, store.SeedOpts{Tickets: 10, Messages: 30, Customers: 2}); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SetRole(ctx, "agent@example.com", "staff"); err != nil {
		b.Fatal(err)
	}
	h, secret := benchDesk(b, db, "agent@example.com", "")
	body := url.Values{"text": {strings.Repeat("A careful answer. ", 60)}, "kind": {"reply"}}.Encode()
	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest("POST", "/inbox/tickets/1/draft", strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:1"
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.AddCookie(&http.Cookie{Name: "dargo_session", Value: secret})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusNoContent {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
