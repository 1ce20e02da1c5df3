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

func TestAdminStaff(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := newServer(t, db, testRedis(t), Opts{})
		clients := map[string]*http.Client{}
		users := map[string]*store.User{}
		for _, who := range []string{"customer", "staff", "admin"} {
			u, err := db.SetRole(ctx, who+"@example.com", who)
			if err != nil {
				t.Fatal(err)
			}
			users[who] = u
			clients[who] = browser(t)
			signIn(t, srv, db, clients[who], u.Email)
		}
		admin := clients["admin"]
		invite := url.Values{"email": {"Mia@Example.com"}, "role": {"staff"}}
		roleURL := func(u *store.User) string { return srv.URL + "/admin/staff/" + itoa(u.ID) + "/role" }

		// Admins only; a form from another site is refused.
		for _, who := range []string{"customer", "staff"} {
			for _, req := range []struct {
				method, url string
				form        url.Values
			}{
				{"GET", srv.URL + "/admin/staff", nil},
				{"POST", srv.URL + "/admin/staff/invite", invite},
				{"POST", roleURL(users["admin"]), url.Values{"role": {"customer"}}},
			} {
				if res, _ := do(t, clients[who], req.method, req.url, req.form); res.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s %s: %s", who, req.method, req.url, res.Status)
				}
			}
		}
		if res, _ := do(t, admin, "POST", srv.URL+"/admin/staff/invite", invite, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST: %s", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users WHERE email = 'mia@example.com'`); n != 0 {
			t.Fatalf("a refused request created the user")
		}

		// Inviting: Mia becomes staff and a sign-in mail is queued for her.
		res, _ := do(t, admin, "POST", srv.URL+"/admin/staff/invite", invite)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("invite: %s", res.Status)
		}
		if loc := res.Header.Get("Location"); strings.Contains(loc, "mia") || !strings.HasPrefix(loc, "/admin/staff?notice=invited") {
			t.Errorf("invite redirects to %q", loc)
		}
		var mia store.User
		if err := db.X.Get(&mia, db.X.Rebind(`SELECT * FROM users WHERE email = ?`), "mia@example.com"); err != nil {
			t.Fatal(err)
		}
		if mia.Role != store.RoleStaff {
			t.Errorf("Mia is %s", mia.Role)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'mia@example.com' AND kind = ?`, store.EmailMagicLink); n != 1 {
			t.Errorf("%d sign-in mails queued for Mia", n)
		}
		_, body := do(t, admin, "GET", srv.URL+res.Header.Get("Location"), nil)
		if !strings.Contains(body, "Invitation sent: mia@example.com is now staff and has a sign-in link in their inbox.") {
			t.Errorf("no confirmation of the invitation:\n%s", body)
		}
		m := deliverMail(t, db, testSecret, "mia@example.com")
		if m.Subject != "You are invited to Dargo" || !strings.Contains(m.Text, "made this address one of its staff") {
			t.Errorf("invitation mail %q:\n%s", m.Subject, m.Text)
		}
		match := linkRE.FindStringSubmatch(m.Text)
		if match == nil {
			t.Fatalf("no sign-in link in the invitation:\n%s", m.Text)
		}
		miaBrowser := browser(t)
		if res, _ := do(t, miaBrowser, "POST", srv.URL+"/login/confirm", url.Values{"token": {match[1]}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("Mia signs in: %s", res.Status)
		}
		if res, _ := do(t, miaBrowser, "GET", srv.URL+"/inbox", nil); res.StatusCode != http.StatusOK {
			t.Errorf("Mia opens the inbox: %s", res.Status)
		}

		// A bad address comes back in the form, with what was typed.
		res, body = do(t, admin, "POST", srv.URL+"/admin/staff/invite", url.Values{"email": {"not an address"}, "role": {"admin"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `value="not an address"`) ||
			!strings.Contains(body, `<option value="admin" selected>`) || !strings.Contains(body, "Nobody was invited") {
			t.Errorf("bad address: %s\n%s", res.Status, body)
		}

		// Changing a role, then removing.
		if err := db.ChangeName(ctx, mia.ID, mia.ID, "Mia"); err != nil {
			t.Fatal(err)
		}
		res, _ = do(t, admin, "POST", roleURL(&mia), url.Values{"role": {"admin"}})
		if _, body = do(t, admin, "GET", srv.URL+res.Header.Get("Location"), nil); !strings.Contains(body, "Mia is now an admin.") {
			t.Errorf("promote: %s\n%s", res.Status, body)
		}
		res, _ = do(t, admin, "POST", roleURL(&mia), url.Values{"role": {"customer"}})
		if _, body = do(t, admin, "GET", srv.URL+res.Header.Get("Location"), nil); !strings.Contains(body, "Mia is no longer staff") {
			t.Errorf("remove: %s\n%s", res.Status, body)
		}
		if res, _ := do(t, miaBrowser, "GET", srv.URL+"/inbox", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("removed Mia opens the inbox: %s", res.Status)
		}
		entries, err := db.AuditLog(ctx, store.AuditQuery{Action: store.AuditRoleChange, UserID: mia.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 3 {
			t.Fatalf("%d role changes audited for Mia", len(entries))
		}
		for _, e := range entries {
			if e.ActorID == nil || *e.ActorID != users["admin"].ID || strings.Contains(e.Detail, "@") {
				t.Errorf("audit entry %+v", e)
			}
		}

		// The last admin is not demoted, not even by themself with a confirmation.
		me := roleURL(users["admin"])
		res, body = do(t, admin, "POST", me, url.Values{"role": {"staff"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Make yourself staff?") || !strings.Contains(body, `name="confirm" value="yes"`) {
			t.Errorf("self-demotion asks first: %s\n%s", res.Status, body)
		}
		res, body = do(t, admin, "POST", me, url.Values{"role": {"staff"}, "confirm": {"yes"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Dargo needs at least one admin") {
			t.Errorf("last admin: %s\n%s", res.Status, body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users WHERE role = 'admin'`); n != 1 {
			t.Fatalf("%d admins", n)
		}

		// With a second admin, an admin may step down, after confirming.
		do(t, admin, "POST", roleURL(users["staff"]), url.Values{"role": {"admin"}})
		res, _ = do(t, admin, "POST", me, url.Values{"role": {"staff"}, "confirm": {"yes"}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/account?notice=now-staff" {
			t.Fatalf("step down: %s %q", res.Status, loc)
		}
		if _, body := do(t, admin, "GET", srv.URL+"/account?notice=now-staff", nil); !strings.Contains(body, "You are now staff") {
			t.Errorf("the account page does not say it")
		}
		if res, _ := do(t, admin, "GET", srv.URL+"/admin/staff", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("the former admin opens the staff page: %s", res.Status)
		}
	})
}
