package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

var undoLinkRE = regexp.MustCompile(`https?://\S+/account/email/undo\?token=([A-Za-z0-9_-]{43})`)

// stealSession gives a new browser the session cookie of c.
func stealSession(t *testing.T, srv string, c *http.Client) *http.Client {
	t.Helper()
	thief := browser(t)
	u, _ := url.Parse(srv)
	thief.Jar.SetCookies(u, c.Jar.Cookies(u))
	return thief
}

// signedOut fails unless the browser is sent to the login form.
func signedOut(t *testing.T, srv string, c *http.Client, who string) {
	t.Helper()
	res, _ := do(t, c, "GET", srv+"/account", nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("%s is still signed in: GET /account %s", who, res.Status)
	}
}

// TestStolenSessionAddressChange is the repro through the browser:
// a thief with a copy of Ada's session moves her account to their mailbox,
// confirms from it and asks for an erasure. Every session ends at the
// change; the confirm page named Ada's account; Ada's old address got a
// notice with an undo link; the thief's confirmation does not erase; Ada's
// undo gives the account back and ends the thief's session again.
func TestStolenSessionAddressChange(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := privacyServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		adaPhone := customer(t, srv, db, "ada@example.com")
		do(t, ada, "POST", srv.URL+"/account/name", url.Values{"name": {"Ada Lovelace"}})
		deliver(t, db, newMail("ada@example.com", "My ticket", "Keep it."))
		u := user(t, db, "ada@example.com")
		thief := stealSession(t, srv.URL, ada)

		res, body := do(t, thief, "POST", srv.URL+"/account/email", url.Values{"email": {"thief@evil.test"}})
		if res.StatusCode != 200 {
			t.Fatalf("POST /account/email: %s\n%s", res.Status, body)
		}
		link, token := privacyLink(t, db, "thief@evil.test", "/account/email/confirm")
		// The confirm page names the account being changed (opened here in
		// a browser with no session, as from a mail client).
		res, body = do(t, browser(t), "GET", link, nil)
		for _, want := range []string{"a***@example.com", "Ada Lovelace", "thief@evil.test", "Is that account yours?"} {
			if res.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("the confirm page lacks %q: %s\n%s", want, res.Status, body)
			}
		}
		if strings.Contains(body, "ada@example.com") {
			t.Error("the confirm page shows the account's address unmasked")
		}
		res, body = do(t, thief, "POST", srv.URL+"/account/email/confirm", url.Values{"token": {token}})
		if res.StatusCode != 200 || !strings.Contains(body, "signed out") {
			t.Fatalf("POST confirm: %s\n%s", res.Status, body)
		}
		if strings.Contains(body, `action="/logout"`) {
			t.Errorf("the page after the address change still shows a signed-in header:\n%s", body)
		}
		if ck := sessionCookie(t, res); ck.MaxAge >= 0 {
			t.Errorf("the confirming browser kept its cookie: %+v", ck)
		}
		for who, c := range map[string]*http.Client{"ada's laptop": ada, "ada's phone": adaPhone, "the thief": thief} {
			signedOut(t, srv.URL, c, who)
		}

		// Ada's old address was told, with an undo link.
		notice := deliverMail(t, db, testSecret, "ada@example.com")
		if notice.Subject != store.AddressChangedSubject || !strings.Contains(notice.Text, "t***@evil.test") ||
			!strings.Contains(notice.Text, "7 days") || strings.Contains(notice.Text, "thief@evil.test") {
			t.Errorf("the notice: %q\n%s", notice.Subject, notice.Text)
		}
		undo := undoLinkRE.FindStringSubmatch(notice.Text)
		if undo == nil || !strings.Contains(notice.HTML, "/account/email/undo?token="+undo[1]) {
			t.Fatalf("no undo link in the notice:\n%s", notice.Text)
		}

		// The thief signs in with their mailbox and asks for an erasure:
		// their own confirmation is not enough.
		signIn(t, srv, db, thief, "thief@evil.test")
		res, body = do(t, thief, "POST", srv.URL+"/account/erase", url.Values{})
		if res.StatusCode != 200 || !strings.Contains(body, "a***@example.com") {
			t.Fatalf("POST /account/erase: %s\n%s", res.Status, body)
		}
		_, eraseToken := privacyLink(t, db, "thief@evil.test", "/account/erase/confirm")
		res, body = do(t, thief, "POST", srv.URL+"/account/erase/confirm", url.Values{"token": {eraseToken}, "block": {"1"}})
		if res.StatusCode != http.StatusAccepted || !strings.Contains(body, "Nothing is erased yet") {
			t.Errorf("the thief's erase confirmation: %s\n%s", res.Status, body)
		}
		if got, _ := db.UserByID(ctx, u.ID); got.ErasedAt != nil {
			t.Fatal("the thief erased the account")
		}
		// The link mailed to Ada's old address explains what it is for.
		adaErase, adaEraseToken := privacyLink(t, db, "ada@example.com", "/account/erase/confirm")
		if _, body := do(t, browser(t), "GET", adaErase, nil); !strings.Contains(body, "t***@evil.test") || !strings.Contains(body, "undo link") {
			t.Errorf("the old address's erase page:\n%s", body)
		}

		// Ada undoes the change.
		adaAgain := browser(t)
		res, body = do(t, adaAgain, "GET", undo[0], nil)
		if res.StatusCode != 200 || !strings.Contains(body, "t***@evil.test") || !strings.Contains(body, "ada@example.com") {
			t.Fatalf("GET undo page: %s\n%s", res.Status, body)
		}
		if got, _ := db.UserByID(ctx, u.ID); got.Email != "thief@evil.test" {
			t.Fatal("opening the undo link changed the address")
		}
		res, body = do(t, adaAgain, "POST", srv.URL+"/account/email/undo", url.Values{"token": {undo[1]}})
		if res.StatusCode != 200 || !strings.Contains(body, "Change undone") {
			t.Fatalf("POST undo: %s\n%s", res.Status, body)
		}
		if strings.Contains(body, `action="/logout"`) {
			t.Errorf("the page after the undo still shows a signed-in header:\n%s", body)
		}
		if got, _ := db.UserByID(ctx, u.ID); got.Email != "ada@example.com" {
			t.Errorf("address after the undo: %s", got.Email)
		}
		signedOut(t, srv.URL, thief, "the thief, after the undo")
		wantAudited(t, db, store.AuditEmailUndo, u.ID, u.ID)
		if res, _ := do(t, browser(t), "POST", srv.URL+"/account/email/undo", url.Values{"token": {undo[1]}}); res.StatusCode != http.StatusGone {
			t.Errorf("second undo: %s", res.Status)
		}
		// The erase link pending at the undo is dead.
		if res, _ := do(t, browser(t), "POST", srv.URL+"/account/erase/confirm", url.Values{"token": {adaEraseToken}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("an erase link from before the undo: %s", res.Status)
		}
		// Ada signs in as before and has her ticket.
		signIn(t, srv, db, adaAgain, "ada@example.com")
		if res, _ := get(t, adaAgain, srv, "/tickets/1"); res.StatusCode != 200 {
			t.Errorf("ada's ticket after the undo: %s", res.Status)
		}
		noAddressInAudit(t, db)
	})
}

// TestEraseAfterOwnAddressChange: after her own change, Ada erases her
// account by confirming from the new address and the old one.
func TestEraseAfterOwnAddressChange(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		do(t, ada, "POST", srv.URL+"/account/email", url.Values{"email": {"ada@new.example"}})
		_, token := privacyLink(t, db, "ada@new.example", "/account/email/confirm")
		do(t, ada, "POST", srv.URL+"/account/email/confirm", url.Values{"token": {token}})
		u := user(t, db, "ada@new.example")
		signIn(t, srv, db, ada, "ada@new.example")
		do(t, ada, "POST", srv.URL+"/account/erase", url.Values{})
		_, fromOld := privacyLink(t, db, "ada@example.com", "/account/erase/confirm")
		_, fromNew := privacyLink(t, db, "ada@new.example", "/account/erase/confirm")
		if res, _ := do(t, browser(t), "POST", srv.URL+"/account/erase/confirm", url.Values{"token": {fromOld}}); res.StatusCode != http.StatusAccepted {
			t.Errorf("the old address's confirmation: %s", res.Status)
		}
		res, body := do(t, ada, "POST", srv.URL+"/account/erase/confirm", url.Values{"token": {fromNew}})
		if res.StatusCode != 200 || !strings.Contains(body, "Your data is erased") {
			t.Fatalf("the new address's confirmation: %s\n%s", res.Status, body)
		}
		if got, _ := db.UserByID(context.Background(), u.ID); got.ErasedAt == nil {
			t.Error("not erased")
		}
		for _, trace := range []string{"ada@example.com", "ada@new.example"} {
			if where := findAnywhere(t, db, trace); where != "" {
				t.Errorf("%q still in %.300s", trace, where)
			}
		}
	})
}
