package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestBrowserReports: two mails come in and the admin answers one; at
// 390 px /admin/reports shows them opened today, the chart and the tables
// fit the width; a range ending before it starts is refused with a
// message; another range is shown; the CSV link serves the day-by-day
// table with its header.
func TestBrowserReports(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-reports-failure.png", 120*time.Second)
	for _, m := range []struct{ id, subject string }{{"r1", "Printer jams"}, {"r2", "Invoice twice"}} {
		sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: `+m.subject+`
Message-ID: <`+m.id+`.reports@example.com>
Content-Type: text/plain

Please help.
`))
	}
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900), chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "Please help.")
	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("text"), "On it."))
	clickAndLoad(t, ctx, chromedp.CSS(`#reply-form button[value=reply]`))
	waitForText(t, ctx, "On it.")

	inBrowser(t, ctx, chromedp.Navigate(base+"/admin/reports"))
	expectPage(t, ctx, base+"/admin/reports", "Reports", "Opened and resolved per day", "By category", "By channel", "By staff member")
	if n := fromBrowser(t, ctx, chromedp.Text(chromedp.ID("total-opened"))); n != "2" {
		t.Errorf("opened = %q, want 2", n)
	}
	if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("figure.report-chart svg rect.opened").length`)); n < 1 {
		t.Error("no opened bar in the charts")
	}
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the reports page is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "reports-390.png")
	today := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.getElementById("report-to").value`))
	day, err := time.Parse(time.DateOnly, today)
	if err != nil {
		t.Fatalf("the end date field holds %q", today)
	}

	// A range that ends before it starts is refused, keeping what was typed.
	later := day.AddDate(0, 0, 3).Format(time.DateOnly)
	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("report-from"), later))
	clickAndLoad(t, ctx, chromedp.CSS(`form.report-range button[type=submit]`))
	expectPage(t, ctx, "", "The range ends before it starts")
	if v := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.getElementById("report-from").value`)); v != later {
		t.Errorf("after the error the start field holds %q, want %q", v, later)
	}

	// The last week instead.
	week := day.AddDate(0, 0, -6).Format(time.DateOnly)
	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("report-from"), week), chromedp.SetValue(chromedp.ID("report-to"), today))
	clickAndLoad(t, ctx, chromedp.CSS(`form.report-range button[type=submit]`))
	expectPage(t, ctx, base+"/admin/reports?from="+week+"&to="+today, "Opened and resolved per day")
	if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("details table tbody tr").length`)); n != 7 {
		t.Errorf("%d days in the table, want 7", n)
	}
	screenshot(t, ctx, "reports-week-390.png")

	// The CSV link, fetched as the browser would download it.
	href := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.querySelector('.report-csv a[href*="by=day"]').href`))
	if href != base+"/admin/reports.csv?from="+week+"&to="+today+"&by=day" {
		t.Errorf("the CSV link is %s", href)
	}
	body := fromBrowser(t, ctx, chromedp.Evaluate[string](`fetch(`+"`"+href+"`"+`).then(r => r.text())`, func(p *runtime.EvaluateParams) {
		p.AwaitPromise = new(true)
	}))
	if !strings.HasPrefix(body, "day,opened,resolved\n") || !strings.Contains(body, today+",2,0") {
		t.Errorf("the CSV reads %q", body)
	}
}
