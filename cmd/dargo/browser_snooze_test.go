package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSnooze: at 390 px, staff snooze #1 from its page with a
// preset; it says until when, leaves the open queue and shows under
// Snoozed with its wake time; Unsnooze brings it back.
func TestBrowserSnooze(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-snooze-failure.png", 120*time.Second)
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Printer jams
Message-ID: <first.snooze@example.com>
Content-Type: text/plain

It jams on every page.
`))
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900), chromedp.Navigate(base+"/inbox?queue=open"))
	waitForText(t, ctx, "Printer jams")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "It jams on every page.")
	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`#snooze-details summary`)),
		chromedp.Click(chromedp.CSS(`#snooze-form input[value=monday]`)))
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the ticket page with the snooze form open is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "snooze-form-390.png")
	clickAndLoad(t, ctx, chromedp.CSS(`#snooze-form button[type=submit]`))
	expectPage(t, ctx, "", "Snoozed until", "is out of the queues until then")
	until := fromBrowser(t, ctx, chromedp.Text(chromedp.ID("snoozed-until")))
	if !strings.Contains(until, "Mon ") || !strings.Contains(until, "09:00") {
		t.Errorf("snoozed until %q, want next Monday 09:00", until)
	}
	screenshot(t, ctx, "snooze-done-390.png")

	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox?queue=open"))
	waitForText(t, ctx, "Inbox")
	if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#t-1").length`)); n != 0 {
		t.Error("#1 is still in the open queue")
	}
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox?queue=snoozed"))
	waitForText(t, ctx, "Printer jams")
	expectPage(t, ctx, "", "snoozed until Mon")
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the snoozed queue is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "snooze-queue-390.png")

	clickAndLoad(t, ctx, chromedp.ID("t-1"))
	clickAndLoad(t, ctx, chromedp.CSS(`#unsnooze-form button`))
	expectPage(t, ctx, "", "Unsnoozed: #1 is back in the queues.")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox?queue=open"))
	waitForText(t, ctx, "Printer jams")
	if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#t-1").length`)); n != 1 {
		t.Error("#1 is not back in the open queue")
	}
}
