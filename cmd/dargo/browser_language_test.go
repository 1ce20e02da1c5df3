package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserPortalInGerman: a German browser gets the sign-in page in
// German; a first mail that says Content-Language: de but is unverified
// (every mail through dargo dev is) does not set the customer's language,
// so her confirmation and sign-in mail are English; once she picks German
// on /account, the portal is German at 390 px whatever the browser says,
// and so is her next sign-in mail. Screenshots with DARGO_TEST_SCREENSHOTS.
func TestBrowserPortalInGerman(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-german-failure.png", 120*time.Second)
	ua := fromBrowser(t, ctx, chromedp.Evaluate[string](`navigator.userAgent`))
	acceptLanguage := func(v string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: v}); err != nil {
			t.Fatalf("browser: accept-language: %v", err)
		}
	}
	acceptLanguage("de-DE,de")
	setWidth(t, ctx, 390)

	mail := strings.Replace(string(firstMail(t, "Drucker druckt nicht", "mein Drucker druckt seit gestern nicht mehr.")),
		"MIME-Version: 1.0\r\n", "MIME-Version: 1.0\r\nContent-Language: de-DE\r\n", 1)
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", []byte(mail))
	waitForMail(t, ctx, base, "ada@example.com", "We received your request [#1] Drucker druckt nicht")

	inBrowser(t, ctx, chromedp.Navigate(base+"/login"))
	expectPage(t, ctx, "", "Anmelden", "E-Mail-Adresse", "Anmeldelink per Mail senden")
	fitsPhone(t, ctx, "/login")
	screenshot(t, ctx, "german-login-390.png")
	signIn := func(subject, greeting string) {
		t.Helper()
		inBrowser(t, ctx, chromedp.Navigate(base+"/login"))
		inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("email"), "ada@example.com"))
		clickAndLoad(t, ctx, chromedp.CSS(`main button[type=submit]`))
		mails := waitForMail(t, ctx, base, "ada@example.com", subject)
		clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
		expectPage(t, ctx, "", greeting)
		link := signInLink(t, ctx, base)
		clickAndLoad(t, ctx, chromedp.CSS(`main pre a[href="`+link+`"]`))
		clickAndLoad(t, ctx, chromedp.ID("confirm"))
	}
	signIn("Your sign-in link", "Hi Ada,")

	// Signed in, an English browser: she picks German on /account.
	acceptLanguage("en-US,en")
	inBrowser(t, ctx, chromedp.Navigate(base+"/account"))
	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("language-select"), "de"))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/account/language"] button`))
	for _, p := range []struct{ path, shot string }{
		{"/tickets", "german-tickets-390.png"},
		{"/tickets/1", "german-ticket-390.png"},
		{"/account", "german-account-390.png"},
	} {
		inBrowser(t, ctx, chromedp.Navigate(base+p.path))
		fitsPhone(t, ctx, p.path)
		screenshot(t, ctx, p.shot)
	}
	inBrowser(t, ctx, chromedp.Navigate(base+"/tickets"))
	expectPage(t, ctx, "", "Ihre Tickets", "Neues Ticket", "Offen", "Abmelden", "Datenschutzerklärung")
	inBrowser(t, ctx, chromedp.Navigate(base+"/account"))
	expectPage(t, ctx, "", "Ihr Konto", "Sprache", "Meine Daten herunterladen (JSON)")
	if lang := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang + " " + document.getElementById("language-select").value`)); lang != "de de" {
		t.Errorf("account page: html lang and selected language %q, want de de", lang)
	}

	// Her mail follows: the next sign-in link comes in German.
	clickAndLoad(t, ctx, chromedp.CSS(`header form[action="/logout"] button`))
	signIn("Ihr Anmeldelink", "Hallo Ada,")
	inBrowser(t, ctx, chromedp.Navigate(base+"/tickets"))
	expectPage(t, ctx, "", "Ihre Tickets")
}

// fitsPhone fails the test when the page scrolls sideways.
func fitsPhone(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	if wide := fromBrowser(t, ctx, chromedp.Evaluate[string](widestJS)); wide != "" {
		t.Errorf("%s scrolls sideways at 390 px: %s", path, wide)
	}
}
