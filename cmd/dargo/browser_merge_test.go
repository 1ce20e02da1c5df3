package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserMergeFromList: staff tick a ticket in the inbox list, type
// the survivor's number, confirm on a page that shows both subjects, and
// land on the survivor, which holds both customers' messages and offers
// Undo; the merged ticket's address brings them there; Undo puts it back.
// At 1280 and 390 px.
func TestBrowserMergeFromList(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-merge-failure.png", 120*time.Second)
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Printer jams
Message-ID: <first.merge@example.com>
Content-Type: text/plain

It jams on every page.
`))
	sendMail(t, dev.smtp, "bob@example.com", "support@localhost", crlf(`From: Bob Babbage <bob@example.com>
To: support@localhost
Subject: Printer jams on floor 3
Message-ID: <second.merge@example.com>
Content-Type: text/plain

Same printer, page 2.
`))
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/inbox"))
	waitForText(t, ctx, "Printer jams on floor 3")
	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`input.pick[value="1"]`)), chromedp.SendKeys(chromedp.ID("merge-list-into"), "2"))
	screenshot(t, ctx, "merge-list-1280.png")
	clickAndLoad(t, ctx, chromedp.ID("bulk-merge"))
	expectPage(t, ctx, "", "#1 Printer jams", "into #2 Printer jams on floor 3?")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900))
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the merge confirmation is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "merge-confirm-390.png")
	clickAndLoad(t, ctx, chromedp.ID("merge-confirm-button"))
	expectPage(t, ctx, "", "Merged #1 into this ticket", "It jams on every page.", "Same printer, page 2.", "Undo merge")
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the survivor with the merge note is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "merge-done-390.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))
	screenshot(t, ctx, "merge-done-1280.png")

	merged := fromBrowser(t, ctx, chromedp.Location())

	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "#1 continues here.")
	expectPage(t, ctx, base+"/inbox/tickets/2?from=1", "Merged into #2: #1 continues here.")

	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox"), chromedp.EmulateViewport(390, 900))
	waitForText(t, ctx, "Printer jams on floor 3")
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the inbox list with its merge form is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "merge-list-390.png")

	// Undo, on the page the merge led to: #1 is its own ticket again.
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(merged))
	waitForText(t, ctx, "Undo merge")
	clickAndLoad(t, ctx, chromedp.ID("merge-undo"))
	expectPage(t, ctx, base+"/inbox/tickets/1?notice=merge-undone", "Merge undone", "It jams on every page.")
	if body := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("ol.thread"))); strings.Contains(body, "Same printer, page 2.") {
		t.Error("after the undo, #1 shows #2's message")
	}
	screenshot(t, ctx, "merge-undone-1280.png")
}
