package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCustomersMerge: at 390 px, staff open Customers from the
// navigation, find a customer by part of an address, review merging her
// second address into her record, merge, and then find her by either.
func TestBrowserCustomersMerge(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-customers-failure.png", 90*time.Second)
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844))
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Toner smudges every page
Message-ID: <customers.home@example.com>
Content-Type: text/plain

The cartridge leaks.
`))
	sendMail(t, dev.smtp, "a.lovelace@analytical-engines.example", "support@localhost", crlf(`From: A. Lovelace <a.lovelace@analytical-engines.example>
To: support@localhost
Subject: Invoice for the engine
Message-ID: <customers.work@example.com>
Content-Type: text/plain

Please send it again.
`))
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox"))
	waitForText(t, ctx, "Invoice for the engine")
	clickAndLoad(t, ctx, chromedp.CSS(`header nav a[href="/inbox/customers"]`))
	expectPage(t, ctx, base+"/inbox/customers", "Customers", "Ada Lovelace", "A. Lovelace")

	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("cq"), "ADA@EXAMPLE"))
	clickAndLoad(t, ctx, chromedp.CSS(`form.filters button[type=submit]`))
	expectPage(t, ctx, "", "contains “ADA@EXAMPLE”", "ada@example.com")
	if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.customers tbody tr").length`)); n != 1 {
		t.Fatalf("the search lists %d customers, want 1", n)
	}
	noWiderThan390(t, ctx, "the customer list")
	screenshot(t, ctx, "customers-390.png")

	clickAndLoad(t, ctx, chromedp.CSS(`table.customers a[href^="/inbox/customers/"]`))
	expectPage(t, ctx, "", "Merge another customer into this one")
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("merge-other"), "a.lovelace@analytical-engines.example"))
	clickAndLoad(t, ctx, chromedp.CSS(`#merge button[type=submit]`))
	expectPage(t, ctx, "", "Merge customers", "Keep", "ada@example.com", "a.lovelace@analytical-engines.example",
		"1 ticket they opened", "This cannot be undone.")
	noWiderThan390(t, ctx, "the merge confirmation")
	screenshot(t, ctx, "customer-merge-390.png")

	clickAndLoad(t, ctx, chromedp.CSS(`main form[method=post] button[type=submit]`))
	expectPage(t, ctx, "", "Merged: a.lovelace@analytical-engines.example is now one of this customer's addresses",
		"Other addresses", "#1 Toner smudges every page", "#2 Invoice for the engine")
	noWiderThan390(t, ctx, "the merged customer's page")
	screenshot(t, ctx, "customer-merged-390.png")

	for _, q := range []string{"engines", "Ada Lovelace"} {
		inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/customers"), chromedp.SendKeys(chromedp.ID("cq"), q))
		clickAndLoad(t, ctx, chromedp.CSS(`form.filters button[type=submit]`))
		expectPage(t, ctx, "", "Ada Lovelace", "a.lovelace@analytical-engines.example")
		if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.customers tbody tr").length`)); n != 1 {
			t.Errorf("search %q lists %d customers after the merge, want 1", q, n)
		}
	}
}

// noWiderThan390 fails the test when the page scrolls sideways at 390 px.
func noWiderThan390(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	if w := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("%s is %d px wide at 390 px", what, w)
	}
}
