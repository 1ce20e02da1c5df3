package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserInboxRows: at 1280 and 390 px, inbox rows preview the last
// message, say how long the customer has waited and mark tickets with
// unseen customer messages; opening a ticket clears its mark; a search marks
// the words that matched.
func TestBrowserInboxRows(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-rows-failure.png", 90*time.Second)
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Toner smudges every page
Message-ID: <rows.toner@example.com>
Content-Type: text/plain

The cartridge leaks onto every page since Monday; the <b>old</b> one did not.
`))
	sendMail(t, dev.smtp, "bob@example.com", "support@localhost", crlf(`From: Bob Byte <bob@example.com>
To: support@localhost
Subject: Invoice missing
Message-ID: <rows.invoice@example.com>
Content-Type: text/plain

I never got the March invoice.
`))
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/2"))
	waitForText(t, ctx, "I never got the March invoice.")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox"))
	waitForText(t, ctx, "Toner smudges every page")

	for _, w := range []int64{1280, 390} {
		inBrowser(t, ctx, chromedp.EmulateViewport(w, 844), chromedp.Reload())
		screenshot(t, ctx, fmt.Sprintf("rows-inbox-%d.png", w))
		inBrowser(t, ctx, chromedp.Navigate(base+"/inbox?q=cartridge"))
		screenshot(t, ctx, fmt.Sprintf("rows-search-%d.png", w))
		if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > int(w) {
			t.Errorf("the search results are %d px wide at %d px", sw, w)
		}
		inBrowser(t, ctx, chromedp.Navigate(base+"/inbox"))
	}

	rows := `Array.from(document.querySelectorAll("tr.ticket-row"), r => (r.classList.contains("unread") ? "unread " : "") +
		r.cells[1].innerText.replace(/\s+/g, " ").trim())`
	got := fromBrowser(t, ctx, chromedp.Evaluate[[]string](rows))
	// Ticket 2 was opened above; ticket 1 was not.
	if len(got) != 2 || !strings.HasPrefix(got[0], "Invoice missing waiting ") || !strings.HasSuffix(got[0], "I never got the March invoice.") ||
		!strings.HasPrefix(got[1], "unread Unread: Toner smudges every page waiting ") ||
		!strings.Contains(got[1], "The cartridge leaks onto every page since Monday; the <b>old</b> one did not.") {
		t.Errorf("rows: %q", got)
	}

	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "The cartridge leaks")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox"))
	if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("tr.unread").length`)); n != 0 {
		t.Errorf("%d rows still unread after opening both", n)
	}

	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox?q=cartridge"))
	marks := fromBrowser(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("tr.ticket-row mark"), m => m.innerText)`))
	snippet := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.querySelector(".row-line.snippet").innerText`))
	if len(marks) != 1 || marks[0] != "cartridge" || !strings.Contains(snippet, "The cartridge leaks onto every page") {
		t.Errorf("search for cartridge: marks %q, snippet %q", marks, snippet)
	}
}

// TestBrowserShowEarlier: a thread of 55 messages shows its latest 50 and
// "Show earlier messages", which, without JavaScript, shows them all.
func TestBrowserShowEarlier(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-earlier-failure.png", 120*time.Second)
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844))
	for i := 1; i <= 55; i++ {
		reply := ""
		if i > 1 {
			reply = "In-Reply-To: <earlier.1@example.com>\nReferences: <earlier.1@example.com>\n"
		}
		sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(fmt.Sprintf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: A long story
Message-ID: <earlier.%d@example.com>
%sContent-Type: text/plain

Chapter %d of the story.
`, i, reply, i)))
	}
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "Chapter 55 of the story.")
	body := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if strings.Contains(body, "Chapter 5 of the story.") || !strings.Contains(body, "Chapter 6 of the story.") || !strings.Contains(body, "(5 not shown)") {
		t.Errorf("the ticket does not show the latest 50 of 55 and say 5 are not shown")
	}
	screenshot(t, ctx, "rows-earlier-390.png")
	clickAndLoad(t, ctx, chromedp.CSS(`.thread-earlier a`))
	body = fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if !strings.Contains(body, "Chapter 1 of the story.") || strings.Contains(body, "Show earlier messages") {
		t.Errorf("after Show earlier, the whole thread is not shown")
	}
}
