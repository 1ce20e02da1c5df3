package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSearchEverywhere: at 390 px, a search typed in the open queue
// finds a pending ticket by a word of its message and by its customer's
// name, the tabs show counts, and "#1" opens the ticket.
func TestBrowserSearchEverywhere(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-search-failure.png", 60*time.Second)
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844))
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Toner smudges every page
Message-ID: <search.page@example.com>
Content-Type: text/plain

The cartridge leaks.
`))
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "The cartridge leaks.")
	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("status"), "pending"))
	clickAndLoad(t, ctx, chromedp.CSS(`#update-form button[type=submit]`))

	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox?queue=open"))
	expectPage(t, ctx, base+"/inbox?queue=open", "No tickets here.", "pending 1")
	for _, q := range []string{"cartridge", "Lovelace"} {
		inBrowser(t, ctx, chromedp.Navigate(base+"/inbox?queue=open"), chromedp.SendKeys(chromedp.ID("q"), q))
		clickAndLoad(t, ctx, chromedp.CSS(`form.filters button[type=submit]`))
		expectPage(t, ctx, "", "Toner smudges every page", "from every queue")
	}
	if w := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("the search results are %d px wide at 390 px", w)
	}
	screenshot(t, ctx, "search-390.png")

	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox?queue=open"), chromedp.SendKeys(chromedp.ID("q"), "#1"))
	clickAndLoad(t, ctx, chromedp.CSS(`form.filters button[type=submit]`))
	expectPage(t, ctx, base+"/inbox/tickets/1", "The cartridge leaks.")
}
