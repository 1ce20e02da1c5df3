package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSpoofedCc is the security review's repro through dargo dev and
// Chromium at 390 px: a mail claiming to be Ada, Cc'ing eve, lands on Ada's
// ticket marked "sender not verified"; eve is only a suggestion, and staff
// add her with one press, which the page confirms.
func TestBrowserSpoofedCc(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-spoofed-cc-failure.png", 60*time.Second)
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844))

	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: My printer is on fire
Message-ID: <first.spoof@example.com>
Content-Type: text/plain

Please help.
`))
	sendMail(t, dev.smtp, "eve@evil.test", "support@localhost", crlf(`From: "Alice, Support" <ada@example.com>
To: support@localhost
Cc: Eve <eve@evil.test>
Subject: Re: [#1] My printer is on fire
Message-ID: <second.spoof@evil.test>
Content-Type: text/plain

Please add my colleague Eve.
`))
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "Please add my colleague Eve.")
	expectThread(t, ctx, "inbound", "Please help.", "inbound", "Please add my colleague Eve.")
	tags := fromBrowser(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("ol.thread > li.msg:last-child header .tag"), e => e.innerText)`))
	if strings.Join(tags, ",") != "Customer,sender not verified" {
		t.Errorf("the spoofed mail's tags are %q, want Customer and sender not verified", tags)
	}
	sug := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("section.suggestions")))
	if n := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("main p.notice"))); !strings.Contains(n, "1 person named in a mail was not added") {
		t.Errorf("no notice of the suggestion above the thread: %q", n)
	}
	if !strings.Contains(sug, "Eve <eve@evil.test>") || !strings.Contains(sug, "sender is not verified") {
		t.Fatalf("suggestions read %q", sug)
	}
	if w := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("the ticket page is %d px wide at 390 px", w)
	}
	screenshot(t, ctx, "spoofed-cc-390.png")
	clickAndLoad(t, ctx, chromedp.CSS(`section.suggestions form[action$="/accept"] button`))
	expectPage(t, ctx, "", "Added. They now see this ticket")
	if h := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("ol.history"))); !strings.Contains(h, "admin@localhost: cc → eve@evil.test") {
		t.Errorf("history does not show who added eve:\n%s", h)
	}
	screenshot(t, ctx, "spoofed-cc-added-390.png")

	// The admin's suppressions page fits a phone too.
	inBrowser(t, ctx, chromedp.Navigate(base+"/admin/suppressions"))
	expectPage(t, ctx, base+"/admin/suppressions", "Suppressions")
	if w := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("the suppressions page is %d px wide at 390 px", w)
	}
	screenshot(t, ctx, "suppressions-390.png")
}
