package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserTags: on a 390 px phone, staff add two tags to a ticket, remove
// one, and follow the other's chip to the inbox filtered by it, which lists
// only that ticket and shows the filter as removable.
func TestBrowserTags(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-tags-failure.png", 120*time.Second)
	for i, subject := range []string{"Charged twice", "Printer jammed"} {
		n := strconv.Itoa(i + 1)
		sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada <ada@example.com>
To: support@localhost
Subject: `+subject+`
Message-ID: <tags`+n+`@example.com>
Content-Type: text/plain

Ticket `+n+` text.
`))
	}
	signIn(t, ctx, base, "admin@localhost")
	texts := func(sel string) []string {
		return fromBrowser(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(`+strconv.Quote(sel)+`), e => e.innerText.trim().replace(/\s+/g, " "))`))
	}
	fits := func(what string) {
		t.Helper()
		if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
			t.Errorf("%s is %d px wide at 390 px", what, sw)
		}
	}
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900), chromedp.Navigate(base+"/inbox"))
	waitForText(t, ctx, "Printer jammed")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "Ticket 1 text.")
	if got := texts("#tags .tag-chip"); len(got) != 0 {
		t.Fatalf("a new ticket has tags %q", got)
	}

	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("tags-input"), " Billing ,  VIP "))
	clickAndLoad(t, ctx, chromedp.CSS(`#tags-add button[type=submit]`))
	waitForText(t, ctx, "Tagged this ticket “billing”, “vip”.")
	if got := texts("#tags .tag-chip a"); strings.Join(got, ",") != "billing,vip" {
		t.Errorf("chips after adding: %q", got)
	}
	fits("the ticket page")
	screenshot(t, ctx, "tags-added-390.png")

	clickAndLoad(t, ctx, chromedp.CSS(`#tags button[aria-label="Remove tag vip"]`))
	waitForText(t, ctx, "Removed the tag “vip” from this ticket.")
	if got := texts("#tags .tag-chip a"); strings.Join(got, ",") != "billing" {
		t.Errorf("chips after removing: %q", got)
	}
	screenshot(t, ctx, "tags-removed-390.png")

	clickAndLoad(t, ctx, chromedp.CSS(`#tags .tag-chip a[href="/inbox?tag=billing"]`))
	expectPage(t, ctx, base+"/inbox?tag=billing", "Tagged billing")
	if got := texts("tr.ticket-row a[id^=t-]"); len(got) != 1 || got[0] != "Charged twice" {
		t.Errorf("the inbox filtered by billing lists %q", got)
	}
	if got := texts("tr.ticket-row .tag-label"); len(got) != 1 || got[0] != "billing" {
		t.Errorf("the row shows tags %q", got)
	}
	fits("the filtered inbox")
	screenshot(t, ctx, "tags-inbox-390.png")

	clickAndLoad(t, ctx, chromedp.CSS(`.tag-filters a[aria-label="Stop filtering by tag billing"]`))
	waitForText(t, ctx, "Printer jammed")
	if got := texts("tr.ticket-row a[id^=t-]"); len(got) != 2 {
		t.Errorf("without the filter the inbox lists %q", got)
	}

	// The admin page lists both tags (vip on no ticket now) and fits.
	clickAndLoad(t, ctx, chromedp.CSS(`header a[href="/admin/tags"]`))
	expectPage(t, ctx, base+"/admin/tags", "Merge the ticked tags into")
	if got := texts(`td[data-label="Tag"]`); strings.Join(got, ",") != "billing,vip" {
		t.Errorf("/admin/tags lists %q", got)
	}
	fits("/admin/tags")
	screenshot(t, ctx, "tags-admin-390.png")
}
