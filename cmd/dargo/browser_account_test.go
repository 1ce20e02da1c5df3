package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserAccountSessions: in Chromium, the admin signs in from an
// iPhone's Safari and logs out, then signs in from Chrome on a Mac. The
// account page names both browsers as people do, with how long each session
// lasted and how the first ended, shows no raw user agent, and fits a
// 390 px phone. Screenshots at 1280 and 390 px with DARGO_TEST_SCREENSHOTS.
func TestBrowserAccountSessions(t *testing.T) {
	chromium := findChromium(t)
	base := startDevWeb(t).web
	ctx := newBrowser(t, chromium, "browser-account-failure.png", 90*time.Second)
	const (
		safariIPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
		chromeMac    = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	)

	signInWith(t, ctx, base, safariIPhone, 1)
	clickAndLoad(t, ctx, chromedp.CSS(`header form[action="/logout"] button`))
	signInWith(t, ctx, base, chromeMac, 2)

	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/account"))
	expectPage(t, ctx, base+"/account", "Where you are signed in",
		"Chrome on macOS, desktop — under a minute (this browser)",
		"Safari on iOS, mobile — under a minute", "Logged out", "Recent sign-ins")
	if body := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.innerText`)); strings.Contains(body, "Mozilla") {
		t.Errorf("the account page shows a raw user agent:\n%s", body)
	}
	if title := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.querySelector("table.sessions td span[title]").title`)); title != chromeMac {
		t.Errorf("the browser's title attribute = %q, want the raw user agent", title)
	}
	screenshot(t, ctx, "account-sessions-1280.png")

	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Reload())
	if w := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("the account page is %d px wide at 390 px", w)
	}
	screenshot(t, ctx, "account-sessions-390.png")
}

// signInWith signs admin@localhost in through the login form and the n-th
// sign-in link in the dev outbox, the browser sending User-Agent ua.
func signInWith(t *testing.T, ctx context.Context, base, ua string, n int) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua}); err != nil {
		t.Fatalf("browser: user agent: %v", err)
	}
	inBrowser(t, ctx, chromedp.Navigate(base+"/login"), chromedp.SendKeys(chromedp.ID("email"), "admin@localhost"))
	clickAndLoad(t, ctx, chromedp.CSS(`main button[type=submit]`))
	var mails []outboxMail
	for deadline := time.Now().Add(20 * time.Second); len(mails) < n; {
		if time.Now().After(deadline) {
			t.Fatalf("sign-in link %d not in the dev outbox after 20s", n)
		}
		mails = waitForMail(t, ctx, base, "admin@localhost", "Your sign-in link")
	}
	clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
	link := signInLink(t, ctx, base)
	inBrowser(t, ctx, chromedp.Navigate(link))
	clickAndLoad(t, ctx, chromedp.ID("confirm"))
	expectPage(t, ctx, base+"/inbox", "Inbox")
}
