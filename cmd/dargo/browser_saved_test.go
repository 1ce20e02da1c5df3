package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSavedReplies: staff make a saved reply (a misspelt
// placeholder is refused first, naming it, the text kept), open a ticket,
// type a line, press m, search, see the reply filled in with the
// customer's first name, insert it after what they typed and send: the
// ticket gets the reply and the saved reply's status and tag. The pages
// and the picker fit a 390 px phone.
func TestBrowserSavedReplies(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-saved-failure.png", 150*time.Second)
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Charged twice
Message-ID: <saved1@example.com>
Content-Type: text/plain

I was charged twice for March.
`))
	signIn(t, ctx, base, "admin@localhost")
	str := func(js string) string { return fromBrowser(t, ctx, chromedp.Evaluate[string](js)) }
	fits := func(what string) {
		t.Helper()
		if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
			t.Errorf("%s is %d px wide at 390 px", what, sw)
		}
	}
	until := func(js string) {
		t.Helper()
		inBrowser(t, ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(10*time.Second)))
	}

	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900), chromedp.Navigate(base+"/inbox"))
	waitForText(t, ctx, "Charged twice")
	clickAndLoad(t, ctx, chromedp.CSS(`header a[href="/inbox/saved-replies"]`))
	expectPage(t, ctx, base+"/inbox/saved-replies", "No saved replies yet.")
	clickAndLoad(t, ctx, chromedp.ID("saved-new"))
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("saved-title"), "Refund on its way"),
		chromedp.SendKeys(chromedp.ID("saved-body"), "Hi {{customer.firstname}},\n\nThe refund for #{{ticket.number}} is on its way."),
		chromedp.SetValue(chromedp.ID("saved-status"), "resolved"), chromedp.SendKeys(chromedp.ID("saved-tags"), "Billing"))
	clickAndLoad(t, ctx, chromedp.CSS(`.saved-form button[type=submit]`))
	waitForText(t, ctx, "{{customer.firstname}} is not a placeholder Dargo knows")
	if got := str(`document.getElementById("saved-body").value`); !strings.Contains(got, "The refund for #{{ticket.number}}") {
		t.Errorf("the refused form lost the text: %q", got)
	}
	fits("the refused form")
	screenshot(t, ctx, "saved-refused-390.png")
	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("saved-body"), "Hi {{customer.first_name}},\n\nThe refund for #{{ticket.number}} is on its way."))
	clickAndLoad(t, ctx, chromedp.CSS(`.saved-form button[type=submit]`))
	waitForText(t, ctx, "Saved reply created.")
	waitForText(t, ctx, "set status resolved, add tag billing")
	fits("the saved replies list")
	screenshot(t, ctx, "saved-list-390.png")

	// The ticket: type a line, leave the box, press m, search, preview, insert.
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "I was charged twice for March.")
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("text"), "Sorry about that."),
		chromedp.Click(chromedp.CSS(`h1`)), chromedp.KeyEvent("m"))
	until(`document.getElementById("saved-dialog").open`)
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("saved-q"), "refund"))
	until(`!!document.querySelector("#saved-results a[data-saved]")`)
	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`#saved-results a[data-saved]`)))
	until(`!!document.getElementById("saved-text")`)
	if got := str(`document.getElementById("saved-text").textContent`); got != "Hi Ada,\n\nThe refund for #1 is on its way." {
		t.Errorf("the preview reads %q", got)
	}
	if got := str(`document.querySelector(".saved-does").innerText`); got != "Sending will also: set status resolved, add tag billing." {
		t.Errorf("the preview says %q", got)
	}
	fits("the ticket with the picker open")
	screenshot(t, ctx, "saved-preview-390.png")
	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`#saved-preview-box a.button`)))
	until(`!document.getElementById("saved-dialog").open`)
	if got := str(`document.getElementById("text").value`); got != "Sorry about that.\n\nHi Ada,\n\nThe refund for #1 is on its way." {
		t.Errorf("the composer holds %q", got)
	}
	if got := str(`document.getElementById("saved-actions-text").textContent + "|" + document.getElementById("then").value`); got != "set status resolved, add tag billing|resolved" {
		t.Errorf("the composer says it will %q", got)
	}
	screenshot(t, ctx, "saved-inserted-390.png")
	clickAndLoad(t, ctx, chromedp.CSS(`button[name=send][value=reply]`))
	waitForText(t, ctx, "The refund for #1 is on its way.")
	if got := str(`document.querySelector(".head .status").innerText`); got != "resolved" {
		t.Errorf("the ticket's status is %q", got)
	}
	if got := str(`Array.from(document.querySelectorAll("#tags .tag-chip a"), a => a.innerText).join(",")`); got != "billing" {
		t.Errorf("the ticket's tags are %q", got)
	}
	fits("the ticket after sending")
	screenshot(t, ctx, "saved-sent-390.png")

	// Counted once.
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/saved-replies"))
	if got := str(`document.querySelector('td[data-label="Uses"]').innerText`); got != "1" {
		t.Errorf("uses shown: %q", got)
	}
}
