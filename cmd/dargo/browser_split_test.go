package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSplit: Ada's "one more thing" mail on #1 offers Split; the
// confirm page shows it with its subject; staff change the subject, split,
// and land on #2, which says it was split from #1; #1 links to #2 and no
// longer shows the mail. At 390 px.
func TestBrowserSplit(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-split-failure.png", 120*time.Second)
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Printer jams
Message-ID: <first.split@example.com>
Content-Type: text/plain

It jams on every page.
`))
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Re: Printer jams
In-Reply-To: <first.split@example.com>
References: <first.split@example.com>
Message-ID: <second.split@example.com>
Content-Type: text/plain

One more thing: my last invoice charged me twice.
`))
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900), chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "charged me twice")
	if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("a.split-action").length`)); n != 1 {
		t.Fatalf("%d Split links on #1, want 1 (the later mail only)", n)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`a.split-action`))
	expectPage(t, ctx, "", "Split a message off #1", "charged me twice")
	if v := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.getElementById("split-subject").value`)); v != "Printer jams" {
		t.Errorf("the subject field holds %q, want the mail's subject without Re:", v)
	}
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the split confirmation is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "split-confirm-390.png")
	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("split-subject"), "Invoice charged twice"))
	clickAndLoad(t, ctx, chromedp.ID("split-button"))
	expectPage(t, ctx, "", "Split into #2; #1 keeps a link.", "#2 Invoice charged twice", "Split from #1 Printer jams", "charged me twice")
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the new ticket is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "split-new-390.png")

	clickAndLoad(t, ctx, chromedp.CSS(`p.split-link a`))
	expectPage(t, ctx, base+"/inbox/tickets/1", "Message split into #2 Invoice charged twice", "It jams on every page.")
	if body := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("ol.thread"))); strings.Contains(body, "charged me twice") {
		t.Error("after the split, #1 still shows the mail")
	}
	screenshot(t, ctx, "split-original-390.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))
	screenshot(t, ctx, "split-original-1280.png")
}
