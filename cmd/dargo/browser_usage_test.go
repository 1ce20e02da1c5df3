package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserUsagePage: in a real Chromium at 390 px, the admin's own visits
// appear on /admin/usage by route pattern, the charts are drawn, and the
// page fits the screen.
func TestBrowserUsagePage(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-usage-failure.png", 60*time.Second)
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844))
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: My printer is on fire
Message-ID: <usage.page@example.com>
Content-Type: text/plain

Please help.
`))
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "Please help.")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox?queue=all&q=printer"))
	inBrowser(t, ctx, chromedp.Navigate(base+"/admin/usage"))
	expectPage(t, ctx, base+"/admin/usage", "Usage", "Daily active users", "GET /inbox/tickets/{number}", "search_run", "signed_in")
	if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("figure.chart svg rect").length`)); n < 2 {
		t.Errorf("the charts have %d bars, want one for today's user and one for today's ticket", n)
	}
	if body := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.innerText`)); strings.Contains(body, "/inbox/tickets/1") {
		t.Error("the usage page shows a ticket's URL")
	}
	if w := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("the usage page is %d px wide at 390 px", w)
	}
	screenshot(t, ctx, "usage-390.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))
	screenshot(t, ctx, "usage-1280.png")
}
