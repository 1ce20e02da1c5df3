package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/i18n"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// Every portal message is in every supported language.
func TestPortalCatalogIsComplete(t *testing.T) {
	if missing := i18n.Missing(portalMessages); len(missing) > 0 {
		t.Errorf("portal messages lack translations: %v", missing)
	}
}

// The portal speaks the browser's language to a visitor, the recorded one
// to a signed-in customer (whatever the browser says), English to staff;
// the customer changes it on /account.
func TestPortalLanguage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := newServer(t, db, testRedis(t), Opts{})
		wantIn := func(what, body string, wants ...string) {
			t.Helper()
			for _, w := range wants {
				if !strings.Contains(body, w) {
					t.Errorf("%s lacks %q", what, w)
				}
			}
		}

		// A visitor: Accept-Language, English when none fits.
		c := browser(t)
		_, body := do(t, c, "GET", srv.URL+"/login", nil, "Accept-Language", "de-CH, de;q=0.9, en;q=0.5")
		wantIn("German login page", body, `<html lang="de">`, "<h1>Anmelden</h1>", "E-Mail-Adresse", "Anmeldelink per Mail senden", "Datenschutzerklärung", "<title>Anmelden · Dargo</title>")
		_, body = do(t, c, "GET", srv.URL+"/login", nil, "Accept-Language", "ja, it;q=0.8")
		wantIn("English login page", body, `<html lang="en">`, "<h1>Sign in</h1>", "Email me a sign-in link")

		// Anna's first mail was German: her sign-in mail and pages are too,
		// even from an English browser.
		got, err := db.RecordInbound(ctx, &store.Incoming{From: store.Person{Email: "anna@example.org", Name: "Anna Berg"}, Subject: "Drucker",
			Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: "anna-1@example.org", Text: "Hallo", VisibleText: "Hallo"}, Language: "de"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.X.Exec(db.X.Rebind(`UPDATE tickets SET priority = 'high' WHERE id = ?`), got.TicketID); err != nil {
			t.Fatal(err)
		}
		anna := browser(t)
		res, _ := do(t, anna, "POST", srv.URL+"/login", url.Values{"email": {"anna@example.org"}, "next": {"/tickets"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /login: %s", res.Status)
		}
		m := deliverMail(t, db, testSecret, "anna@example.org")
		if m.Subject != "Ihr Anmeldelink" || !strings.HasPrefix(m.Text, "Hallo Anna,") || !strings.Contains(m.Text, "Mit diesem Link melden Sie sich an:") {
			t.Errorf("sign-in mail: subject %q\n%s", m.Subject, m.Text)
		}
		match := linkRE.FindStringSubmatch(m.Text)
		if match == nil {
			t.Fatalf("no link in\n%s", m.Text)
		}
		if res, _ = do(t, anna, "POST", srv.URL+"/login/confirm", url.Values{"token": {match[1]}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /login/confirm: %s", res.Status)
		}
		_, body = do(t, anna, "GET", srv.URL+"/tickets", nil, "Accept-Language", "en-US")
		wantIn("German ticket list", body, `<html lang="de">`, "<h1>Ihre Tickets</h1>", "Neues Ticket", "Letzte Aktivität", ">Offen</span>", "Abmelden")
		_, body = do(t, anna, "GET", srv.URL+"/tickets/1", nil, "Accept-Language", "en-US")
		wantIn("German ticket page", body, "hohe Priorität", "<h2>Antworten</h2>", "Ihre Antwort", "Antwort senden", "#1 Drucker</h1>")
		_, body = do(t, anna, "GET", srv.URL+"/account", nil)
		wantIn("German account page", body, "<h1>Ihr Konto</h1>", "Meine Daten herunterladen (JSON)", `<option value="de" lang="de" selected>Deutsch</option>`, "Sprache speichern")

		// She switches to French: told so, in French, and it sticks.
		res, _ = do(t, anna, "POST", srv.URL+"/account/language", url.Values{"language": {"fr"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account?notice=language-saved#language" {
			t.Fatalf("POST /account/language: %s %s", res.Status, res.Header.Get("Location"))
		}
		_, body = do(t, anna, "GET", srv.URL+res.Header.Get("Location"), nil)
		wantIn("French account page", body, `<html lang="fr">`, "Enregistré : nous vous écrivons désormais en français.", `<option value="fr" lang="fr" selected>Français</option>`, "<h1>Votre compte</h1>")
		if u, err := db.UserByEmail(ctx, "anna@example.org"); err != nil || u.Language != "fr" {
			t.Errorf("anna = %+v, %v; want language fr", u, err)
		}
		// Nothing else is accepted, and another site cannot post it.
		if res, _ = do(t, anna, "POST", srv.URL+"/account/language", url.Values{"language": {"it"}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("language it: %s, want 400", res.Status)
		}
		if res, _ = do(t, anna, "POST", srv.URL+"/account/language", url.Values{"language": {"es"}}, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST: %s, want 403", res.Status)
		}
		if u, _ := db.UserByEmail(ctx, "anna@example.org"); u.Language != "fr" {
			t.Errorf("language = %q after refused posts, want fr", u.Language)
		}
		if res, _ = do(t, browser(t), "POST", srv.URL+"/account/language", url.Values{"language": {"es"}}); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("signed-out POST: %s %s, want a redirect to sign in", res.Status, res.Header.Get("Location"))
		}

		// Staff read English, whatever their browser or record says.
		sam := browser(t)
		signIn(t, srv, db, sam, "sam@example.org")
		if _, err := db.X.Exec(db.X.Rebind(`UPDATE users SET role = 'staff', language = 'de' WHERE email = ?`), "sam@example.org"); err != nil {
			t.Fatal(err)
		}
		_, body = do(t, sam, "GET", srv.URL+"/account", nil, "Accept-Language", "de")
		wantIn("staff account page", body, `<html lang="en">`, "<h1>Your account</h1>")
		if strings.Contains(body, `action="/account/language"`) {
			t.Error("staff account page has the language form")
		}
	})
}
