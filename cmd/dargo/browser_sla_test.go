package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dargo-support/dargo/store"
)

// TestBrowserSLAColumn: an admin adds a first-response target of 1 h on
// /admin/sla; the inbox at 390 px shows each ticket's due ("overdue 2 h"
// in red, "due in 40 min") and, by the Due header, sorts by it: the most
// overdue first, where the newest-activity order had it last. The tickets
// are written to dev's database with backdated clocks, no waiting.
func TestBrowserSLAColumn(t *testing.T) {
	chromium := findChromium(t)
	path := filepath.Join(t.TempDir(), "sla.db")
	dev := startDevWeb(t, "DARGO_DATABASE_URL=sqlite:"+path)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-sla-failure.png", 120*time.Second)
	db, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900), chromedp.Navigate(base+"/admin/hours"))
	waitForText(t, ctx, "around the clock")
	noWiderThan390(t, ctx, "/admin/hours")
	screenshot(t, ctx, "sla-hours-390.png")
	inBrowser(t, ctx, chromedp.Navigate(base+"/admin/sla"))
	waitForText(t, ctx, "No policies yet")
	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("first_response"), "1 h"))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action^="/admin/sla"] button[type=submit]`))
	expectPage(t, ctx, "", "Policy saved", "1 h")
	noWiderThan390(t, ctx, "/admin/sla")
	screenshot(t, ctx, "sla-policies-390.png")

	now := time.Now().UTC()
	for _, tk := range []struct {
		subject string
		ago     time.Duration
	}{{"Late printer", 3 * time.Hour}, {"Soon invoice", 20 * time.Minute}, {"Fresh question", 0}} {
		at := now.Add(-tk.ago)
		db.Now = func() time.Time { return at }
		_, err := db.RecordInbound(context.Background(), &store.Incoming{From: store.Person{Email: "ada@example.com"}, Subject: tk.subject,
			Message: store.NewMessage{Kind: "inbound", Source: "email", Subject: tk.subject, Text: "help", VisibleText: "help"}})
		if err != nil {
			t.Fatal(err)
		}
	}

	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox"))
	waitForText(t, ctx, "Late printer")
	order := func() string {
		return fromBrowser(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("tr.ticket-row a[id^=t-]")].map(a => a.textContent.trim()).join("|")`))
	}
	if got := order(); got != "Fresh question|Soon invoice|Late printer" {
		t.Errorf("newest activity first: %s", got)
	}
	if vis := fromBrowser(t, ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector(".sla-inline")).display !== "none"`)); !vis {
		t.Error("the due is hidden at 390 px")
	}
	clickAndLoad(t, ctx, chromedp.ID("sort-due-link"))
	if got := fromBrowser(t, ctx, chromedp.Location()); !strings.Contains(got, "sort=due") {
		t.Errorf("after the Due header: %s", got)
	}
	if got := order(); got != "Late printer|Soon invoice|Fresh question" {
		t.Errorf("sorted by due: %s", got)
	}
	dues := fromBrowser(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("tr.ticket-row .sla-inline")].map(s => s.textContent.trim()).join("|")`))
	if !strings.HasPrefix(dues, "overdue 2 h|due in 39 min|due in 59 min") && !strings.HasPrefix(dues, "overdue 2 h|due in 40 min|due in 1 h") {
		t.Errorf("dues: %s", dues)
	}
	red := fromBrowser(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".sla-inline.sla-overdue")).backgroundColor`))
	if red != "rgb(179, 38, 30)" {
		t.Errorf("overdue is not red: %s", red)
	}
	noWiderThan390(t, ctx, "the inbox sorted by due")
	screenshot(t, ctx, "sla-inbox-390.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))
	if vis := fromBrowser(t, ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("td.sla-col")).display !== "none"`)); !vis {
		t.Error("the Due column is hidden at 1280 px")
	}
	screenshot(t, ctx, "sla-inbox-1280.png")
}
