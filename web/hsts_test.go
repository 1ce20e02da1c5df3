package web

import (
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestHSTSOnlyOnHTTPS: with an https DARGO_BASE_URL every response keeps
// browsers on https (the TLS may end at a proxy, so the request itself may
// be plain); with http there is no such header, or dargo dev would pin
// localhost to https.
func TestHSTSOnlyOnHTTPS(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	for _, tc := range []struct{ base, want string }{
		{"https://help.acme.test", "max-age=63072000; includeSubDomains"},
		{"http://127.0.0.1:8080", ""},
	} {
		h, err := New(Opts{Store: db, Redis: testRedis(t), BaseURL: tc.base, Secret: testSecret, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/login", "/static/nope.css", "/nope"} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
			if got := w.Header().Get("Strict-Transport-Security"); got != tc.want {
				t.Errorf("%s %s: Strict-Transport-Security %q, want %q", tc.base, path, got, tc.want)
			}
		}
	}
}
