package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserBulkAssign: in the inbox list, x ticks the row j selected,
// "select all on this page" ticks every row, and the bar says how many
// are selected and shows only the chosen action's field; "Continue…"
// shows one confirmation of what will change and what mail will go, and
// confirming assigns every ticket to Mia, which the list then says. At
// 1280 and 390 px.
func TestBrowserBulkAssign(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-bulk-failure.png", 120*time.Second)
	for i, subject := range []string{"Printer jams", "Invoice missing", "Password reset"} {
		sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(fmt.Sprintf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: %s
Message-ID: <bulk.%d@example.com>
Content-Type: text/plain

Please help with this.
`, subject, i)))
	}
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/admin/staff"),
		chromedp.SendKeys(chromedp.ID("invite-email"), "mia@localhost"))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/admin/staff/invite"] button`))
	expectPage(t, ctx, "", "mia@localhost is now staff")

	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox"))
	waitForText(t, ctx, "Password reset")
	state := func() string {
		return fromBrowser(t, ctx, chromedp.Evaluate[string](`(getComputedStyle(document.getElementById("bulk")).display === "none" ? "hidden " : "shown ") +
			document.getElementById("bulk-count").textContent + (document.getElementById("pick-all").indeterminate ? " some" : "") +
			(document.getElementById("pick-all").checked ? " all" : "")`))
	}
	if got := state(); got != "hidden 0 selected" {
		t.Errorf("before any selection the bar is %q", got)
	}
	// j selects the first row, x ticks it.
	inBrowser(t, ctx, chromedp.KeyEvent("j"), chromedp.KeyEvent("x"))
	if got := state(); got != "shown 1 selected some" {
		t.Errorf("after j x the bar is %q", got)
	}
	if !fromBrowser(t, ctx, chromedp.Evaluate[bool](`document.querySelector("tr.ticket-row.selected input.pick").checked`)) {
		t.Error("x did not tick the selected row")
	}
	inBrowser(t, ctx, chromedp.Click(chromedp.ID("pick-all")))
	if got := state(); got != "shown 3 selected all" {
		t.Errorf("after select all the bar is %q", got)
	}
	inBrowser(t, ctx, chromedp.KeyEvent("x"))
	if got := state(); got != "shown 2 selected some" {
		t.Errorf("after x on a ticked row the bar is %q", got)
	}
	inBrowser(t, ctx, chromedp.Click(chromedp.ID("pick-all")))
	if got := state(); got != "shown 3 selected all" {
		t.Errorf("after select all again the bar is %q", got)
	}
	// Choosing "Assign to" shows the assignee list alone.
	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("bulk-action"), "assign"))
	fromBrowser(t, ctx, chromedp.Evaluate[bool](`document.getElementById("bulk-action").dispatchEvent(new Event("change"))`))
	shown := fromBrowser(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#bulk .bulk-value"))
		.filter(v => !v.hidden).map(v => v.getAttribute("data-for"))`))
	if len(shown) != 1 || shown[0] != "assign" {
		t.Errorf("with Assign to chosen, the bar shows the fields for %q", shown)
	}
	fromBrowser(t, ctx, chromedp.Evaluate[bool](`(() => { const s = document.getElementById("bulk-assignee");
		s.value = Array.from(s.options).find(o => o.text === "mia@localhost").value; return true })()`))
	screenshot(t, ctx, "bulk-bar-1280.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844))
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the list with the bulk bar is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "bulk-bar-390.png")
	viewportShot(t, ctx, "bulk-bar-390-window.png") // the bar as it sticks to the window's bottom

	clickAndLoad(t, ctx, chromedp.ID("bulk-go"))
	expectPage(t, ctx, base+"/inbox/bulk", "Assign to mia@localhost on 3 tickets:", "#1 Printer jams", "#3 Password reset",
		"mia@localhost will be told of 3 assignments")
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the bulk confirmation is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "bulk-confirm-390.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))
	screenshot(t, ctx, "bulk-confirm-1280.png")

	clickAndLoad(t, ctx, chromedp.ID("bulk-apply"))
	expectPage(t, ctx, "", "Assigned to mia@localhost on 3 tickets.")
	assignees := fromBrowser(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("tr.ticket-row"), r => r.cells[6].innerText)`))
	if len(assignees) != 3 || strings.Join(assignees, ",") != "mia@localhost,mia@localhost,mia@localhost" {
		t.Errorf("assignees after the bulk action: %q", assignees)
	}
	if got := state(); got != "hidden 0 selected" {
		t.Errorf("after the action the bar is %q", got)
	}
	screenshot(t, ctx, "bulk-done-1280.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844))
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the list after the bulk action is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "bulk-done-390.png")
}

// viewportShot saves what the window shows (a full-page screenshot
// stretches the window, which moves a sticky bar) under
// DARGO_TEST_SCREENSHOTS.
func viewportShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("DARGO_TEST_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := fromBrowser(t, ctx, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
