package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/internal/turnstile"
	"github.com/dargo-support/dargo/store"
)

// TestPublicConfirmFormsAskTurnstile: the erase and address-change confirm
// pages are public (anyone holding the link), so they carry the widget and
// refuse a missing token.
func TestPublicConfirmFormsAskTurnstile(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sv := &siteverify{answer: func(w http.ResponseWriter, r *http.Request) {
			json.NewEncoder(w).Encode(map[string]any{"success": r.PostForm.Get("response") == "good", "hostname": "127.0.0.1"})
		}}
		srv := newServer(t, db, testRedis(t), Opts{TurnstileSiteKey: "site-key-2", ReplyTo: privacyReplyTo,
			Turnstile: turnstile.Verifier{Secret: "ts-secret", URL: sv.start(t), Timeout: time.Second}})
		// Signing in needs the check too.
		c := browser(t)
		do(t, c, "POST", srv.URL+"/login", url.Values{"email": {"ada@example.com"}, turnstile.FormField: {"good"}})
		_, token := tokenFromMail(t, db, "ada@example.com")
		do(t, c, "POST", srv.URL+"/login/confirm", url.Values{"token": {token}, turnstile.FormField: {"good"}})

		if res, _ := do(t, c, "POST", srv.URL+"/account/erase", url.Values{}); res.StatusCode != 200 {
			t.Fatalf("ask erase: %s", res.Status)
		}
		link, etoken := privacyLink(t, db, "ada@example.com", "/account/erase/confirm")
		if _, page := do(t, c, "GET", link, nil); !strings.Contains(page, `data-sitekey="site-key-2"`) {
			t.Error("the erase confirm page lacks the widget")
		}
		res, body := do(t, c, "POST", srv.URL+"/account/erase/confirm", url.Values{"token": {etoken}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "human check") {
			t.Errorf("erase confirm without Turnstile: %s", res.Status)
		}
		if u := user(t, db, "ada@example.com"); u.ErasedAt != nil {
			t.Fatal("erased without passing the check")
		}
		if res, _ := do(t, c, "POST", srv.URL+"/account/erase/confirm", url.Values{"token": {etoken}, turnstile.FormField: {"good"}}); res.StatusCode != 200 {
			t.Errorf("erase confirm with Turnstile: %s", res.Status)
		}
	})
}
