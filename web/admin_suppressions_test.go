package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestAdminSuppressions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := newServer(t, db, testRedis(t), Opts{})
		clients := map[string]*http.Client{}
		for _, who := range []string{"customer", "staff", "admin"} {
			addr := who + "@example.com"
			if who != "customer" {
				if _, err := db.SetRole(ctx, addr, who); err != nil {
					t.Fatal(err)
				}
			}
			clients[who] = browser(t)
			signIn(t, srv, db, clients[who], addr)
		}
		for _, s := range []struct{ email, reason, source string }{
			{"customer@example.com", "bounce 5.1.1 smtp; 550 <b>no such user</b>", "dsn"},
			{"gone@example.org", "complaint: abuse", "ses-complaint"},
		} {
			if err := db.Suppress(ctx, s.email, s.reason, s.source); err != nil {
				t.Fatal(err)
			}
		}
		lift := url.Values{"email": {"customer@example.com"}}

		// Admins only, as the other admin pages.
		if res, _ := do(t, browser(t), "GET", srv.URL+"/admin/suppressions", nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous: %s", res.Status)
		}
		if res, _ := do(t, browser(t), "POST", srv.URL+"/admin/suppressions/remove", lift); res.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous POST: %s", res.Status)
		}
		for _, who := range []string{"customer", "staff"} {
			if res, _ := do(t, clients[who], "GET", srv.URL+"/admin/suppressions", nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET: %s", who, res.Status)
			}
			if res, _ := do(t, clients[who], "POST", srv.URL+"/admin/suppressions/remove", lift); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST: %s", who, res.Status)
			}
			if _, body := do(t, clients[who], "GET", srv.URL+"/account", nil); strings.Contains(body, `href="/admin/suppressions"`) {
				t.Errorf("%s sees the link to the page", who)
			}
		}
		admin := clients["admin"]
		// A form posted from another site is refused, whoever is signed in.
		if res, _ := do(t, admin, "POST", srv.URL+"/admin/suppressions/remove", lift, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST: %s", res.Status)
		}
		if ok, _ := db.IsSuppressed(ctx, "customer@example.com"); !ok {
			t.Fatalf("a refused request lifted the suppression")
		}

		res, body := do(t, admin, "GET", srv.URL+"/admin/suppressions", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `<a href="/admin/suppressions">Suppressions</a>`) {
			t.Fatalf("admin GET: %s\n%s", res.Status, body)
		}
		for _, want := range []string{"customer@example.com", "bounce 5.1.1 smtp; 550 &lt;b&gt;no such user&lt;/b&gt;", "dsn",
			"gone@example.org", "complaint: abuse", "ses-complaint", `name="email" value="gone@example.org"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the list lacks %q", want)
			}
		}
		if _, body := do(t, admin, "GET", srv.URL+"/admin/suppressions?q=GONE", nil); !strings.Contains(body, "gone@example.org") || strings.Contains(body, "customer@example.com</td>") {
			t.Errorf("search for gone:\n%s", body)
		}
		if _, body := do(t, admin, "GET", srv.URL+"/admin/suppressions?q=nobody", nil); !strings.Contains(body, "No suppressed address contains “nobody”.") {
			t.Errorf("empty search:\n%s", body)
		}

		// Lifting says what it did and is audited with the admin and the person by id.
		res, body = do(t, admin, "POST", srv.URL+"/admin/suppressions/remove", url.Values{"email": {"Customer@Example.com"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Suppression lifted: mail goes to customer@example.com again") ||
			strings.Contains(body, `value="customer@example.com"`) {
			t.Fatalf("lift: %s\n%s", res.Status, body)
		}
		if ok, _ := db.IsSuppressed(ctx, "customer@example.com"); ok {
			t.Errorf("still suppressed")
		}
		var adminID, customerID int64
		db.X.Get(&adminID, `SELECT id FROM users WHERE email = 'admin@example.com'`)
		db.X.Get(&customerID, `SELECT id FROM users WHERE email = 'customer@example.com'`)
		entries, err := db.AuditLog(ctx, store.AuditQuery{Action: store.AuditUnsuppress})
		if err != nil || len(entries) != 1 || entries[0].ActorID == nil || *entries[0].ActorID != adminID ||
			entries[0].UserID == nil || *entries[0].UserID != customerID || entries[0].Detail != `{"removed":1,"source":"dsn","via":"web"}` {
			t.Errorf("audit: %+v, %v", entries, err)
		}

		// Lifting what is not (or no longer) suppressed, or not an address: says so, changes nothing.
		if res, body := do(t, admin, "POST", srv.URL+"/admin/suppressions/remove", lift); res.StatusCode != http.StatusNotFound ||
			!strings.Contains(body, "Nothing lifted: customer@example.com is not on the suppression list.") {
			t.Errorf("lift again: %s\n%s", res.Status, body)
		}
		if res, body := do(t, admin, "POST", srv.URL+"/admin/suppressions/remove", url.Values{"email": {"not an address"}}); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "Nothing lifted: that is not an email address.") {
			t.Errorf("lift garbage: %s\n%s", res.Status, body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, store.AuditUnsuppress); n != 1 {
			t.Errorf("%d lift entries, want 1", n)
		}
		if ok, _ := db.IsSuppressed(ctx, "gone@example.org"); !ok {
			t.Errorf("gone@example.org lifted too")
		}
	})
}
