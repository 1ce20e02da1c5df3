package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dargo-support/dargo/internal/testredis"
)

// TestBrowserSmallThings walks issue 13's small things in Chromium through
// dargo dev: sign-in links in the dev outbox are one click; Save on the
// staff ticket page and on /account says what it saved; customers read
// category names from DARGO_CATEGORY_NAMES, never "urgent"; and after a
// customer erases herself the page's header no longer shows her address.
func TestBrowserSmallThings(t *testing.T) {
	chromium := findChromium(t)
	r := testredis.Open(t, browserRedisDB)
	dev := startDev(t, append(baseEnv("sqlite:"+filepath.Join(t.TempDir(), "d.db")),
		fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB), "DARGO_RELAY_INTERVAL=100ms",
		"DARGO_MAIL_DOMAIN=localhost", "DARGO_DEV_ADMIN=admin@localhost",
		"DARGO_CATEGORIES=billing=billing@localhost", "DARGO_CATEGORY_NAMES=billing=Billing and invoices")...)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-small-failure.png", 120*time.Second)
	setWidth(t, ctx, 390)

	sendMail(t, dev.smtp, "ada@example.com", "billing@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: billing@localhost
Subject: Charged twice
Message-ID: <charged.twice@example.com>
Content-Type: text/plain

My card was charged twice for May.
`))
	waitForMail(t, ctx, base, "ada@example.com", "We received your request [#1] Charged twice")

	// Staff save the ticket's status and assignee: the page says what changed, at the top.
	signInByClick(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	expectPage(t, ctx, "", "Charged twice", "billing")
	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("status"), "pending"),
		chromedp.Evaluate[chromedp.Void](`(s => { s.value = Array.from(s.options).find(o => o.text === "admin@localhost").value })(document.getElementById("assignee"))`))
	clickAndLoad(t, ctx, chromedp.CSS(`#update-form button[type=submit]`))
	expectPage(t, ctx, "", "Saved: status open → pending, assignee nobody → admin@localhost.")
	if above := fromBrowser(t, ctx, chromedp.Evaluate[bool](`document.querySelector("main .notice").getBoundingClientRect().bottom <
		document.getElementById("status").getBoundingClientRect().top`)); !above {
		t.Error("at 390 px the saved notice is not above the ticket's controls")
	}
	screenshot(t, ctx, "small-saved-390.png")
	clickAndLoad(t, ctx, chromedp.CSS(`#update-form button[type=submit]`))
	expectPage(t, ctx, "", "Nothing to save: nothing was changed.")

	inBrowser(t, ctx, chromedp.Navigate(base+"/account"), chromedp.SetValue(chromedp.ID("name"), "Sam Admin"))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/account/name"] button`))
	expectPage(t, ctx, base+"/account?notice=name-saved#name", "Saved: your name is now “Sam Admin”.")
	clickAndLoad(t, ctx, chromedp.CSS(`header form[action="/logout"] button`))

	// Ada reads the category's name, and cannot choose urgent.
	signInByClick(t, ctx, base, "ada@example.com")
	inBrowser(t, ctx, chromedp.Navigate(base+"/tickets/1"))
	expectPage(t, ctx, base+"/tickets/1", "Waiting for you", "Billing and invoices")
	inBrowser(t, ctx, chromedp.Navigate(base+"/tickets/new"))
	options := fromBrowser(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#category option, #priority option"), o => o.value + "=" + o.text)`))
	if want := []string{"low=low", "normal=normal", "high=high", "general=General", "billing=Billing and invoices", "privacy=Privacy"}; !slices.Equal(options, want) {
		t.Errorf("the new-ticket form offers %q, want %q", options, want)
	}

	// Ada erases herself: the last page shows nobody signed in.
	inBrowser(t, ctx, chromedp.Navigate(base+"/account"))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/account/erase"] button`))
	mails := waitForMail(t, ctx, base, "ada@example.com", "Confirm erasing your data")
	clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
	clickAndLoad(t, ctx, chromedp.CSS(`main pre a[href*="/account/erase/confirm"]`))
	expectPage(t, ctx, "", "Erase your data", "ada@example.com")
	clickAndLoad(t, ctx, chromedp.ID("confirm"))
	expectPage(t, ctx, "", "Your data is erased")
	if header := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("header.top"))); strings.Contains(header, "ada@example.com") || !strings.Contains(header, "Sign in") {
		t.Errorf("after erasure the header reads %q, want Sign in and no address", header)
	}
	screenshot(t, ctx, "small-erased-390.png")
}
