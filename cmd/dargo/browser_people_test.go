package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPeople: staff see who is on a ticket, add a person by address,
// see them in the list above Send, and remove them again; the customer
// cannot be removed. At 1280 and at 390 px.
func TestBrowserPeople(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-people-failure.png", 120*time.Second)
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: My printer is on fire
Message-ID: <first.people@example.com>
Content-Type: text/plain

Please help.
`))
	signIn(t, ctx, base, "admin@localhost")
	texts := func(sel string) []string {
		return fromBrowser(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(`+strconv.Quote(sel)+`), e => e.innerText.trim().replace(/\s+/g, " "))`))
	}
	for i, width := range []int{1280, 390} {
		w := strconv.Itoa(width)
		t.Run(w, func(t *testing.T) {
			inBrowser(t, ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(base+"/inbox/tickets/1"))
			waitForText(t, ctx, "Please help.")
			screenshot(t, ctx, "people-ticket-"+w+".png")
			if got := texts("#people li .who"); len(got) != 1 || !strings.Contains(got[0], "ada@example.com") {
				t.Fatalf("participants before adding: %q", got)
			}
			if n := len(texts(`#people li form[action$="/remove"]`)); n != 0 {
				t.Errorf("the customer has %d remove buttons", n)
			}
			bob := "bob" + w + "@example.com"
			inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("person-email"), bob), chromedp.SendKeys(chromedp.ID("person-name"), "Bob Builder"))
			clickAndLoad(t, ctx, chromedp.CSS(`#people-add button[type=submit]`))
			waitForText(t, ctx, "Added Bob Builder")
			if got := texts("#people li .who"); len(got) != 2 || !strings.Contains(got[1], bob) {
				t.Fatalf("participants after adding: %q", got)
			}
			rcpt := texts("#recipients li")
			if len(rcpt) != 2 || !strings.HasPrefix(rcpt[0], "To:") || !strings.Contains(rcpt[0], "ada@example.com") ||
				!strings.HasPrefix(rcpt[1], "Cc:") || !strings.Contains(rcpt[1], bob) {
				t.Errorf("the list above Send reads %q", rcpt)
			}
			if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > width {
				t.Errorf("the ticket page is %d px wide at %d px", sw, width)
			}
			screenshot(t, ctx, "people-added-"+w+".png")
			inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`label[for=kind-note]`)))
			if !fromBrowser(t, ctx, chromedp.Evaluate[bool](`(e => e.getClientRects().length > 0)(document.querySelector(".recipients .note-only"))`)) ||
				fromBrowser(t, ctx, chromedp.Evaluate[bool](`(e => e.getClientRects().length > 0)(document.querySelector("#recipients"))`)) {
				t.Error("note mode still lists recipients, or does not say only staff see notes")
			}
			screenshot(t, ctx, "people-note-"+w+".png")
			inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`label[for=kind-reply]`)))

			// The reply goes to exactly the people listed above Send.
			inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("text"), "A new printer is on its way "+w))
			clickAndLoad(t, ctx, chromedp.CSS(`button[value=reply]`))
			subject := "Re: [#1] My printer is on fire"
			waitForMail(t, ctx, base, bob, subject)
			for deadline := time.Now().Add(20 * time.Second); len(waitForMail(t, ctx, base, "ada@example.com", subject)) <= i; {
				if time.Now().After(deadline) {
					t.Fatalf("reply %d did not reach ada", i+1)
				}
			}
			inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
			waitForText(t, ctx, "A new printer is on its way "+w)

			clickAndLoad(t, ctx, chromedp.CSS(`#people li:last-child form[action$="/remove"] button`))
			waitForText(t, ctx, "Removed Bob Builder")
			if got := texts("#people li .who"); len(got) != 1 {
				t.Errorf("participants after removing: %q", got)
			}
			if rcpt := texts("#recipients li"); len(rcpt) != 1 {
				t.Errorf("after removing, the list above Send reads %q", rcpt)
			}
			screenshot(t, ctx, "people-removed-"+w+".png")
		})
	}

	// The customer sees who is on the ticket: others by name, or their
	// address masked.
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/inbox/tickets/1"))
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("person-email"), "carol@example.com"))
	clickAndLoad(t, ctx, chromedp.CSS(`#people-add button[type=submit]`))
	waitForText(t, ctx, "Added carol@example.com")
	customer := newBrowser(t, chromium, "browser-people-portal-failure.png", 60*time.Second)
	signIn(t, customer, base, "ada@example.com")
	for _, width := range []int{1280, 390} {
		w := strconv.Itoa(width)
		inBrowser(t, customer, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(base+"/tickets/1"))
		waitForText(t, customer, "On this ticket")
		got := fromBrowser(t, customer, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".ticket-people li"), e => e.innerText.trim())`))
		if len(got) != 2 || !strings.HasPrefix(got[0], "Ada Lovelace <ada@example.com> (you)") || got[1] != "c***@example.com" {
			t.Errorf("the customer's page lists %q", got)
		}
		if sw := fromBrowser(t, customer, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > width {
			t.Errorf("the portal ticket page is %d px wide at %d px", sw, width)
		}
		screenshot(t, customer, "people-portal-"+w+".png")
	}
}
