package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserTimeZones: at 390 px, an admin whose browser is in
// Asia/Kolkata opens /account, where that zone is suggested (the desk's is
// Europe/Berlin); they pick America/New_York and save, and the inbox and
// the ticket then say times in it on hover. Ada, whose browser is in
// Asia/Tokyo, sees her ticket's times in Japan's time.
func TestBrowserTimeZones(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t, "DARGO_TIME_ZONE=Europe/Berlin")
	base := dev.web
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", firstMail(t, "Printer jams", "It jams on every page."))

	ctx := newBrowser(t, chromium, "browser-zones-failure.png", 120*time.Second)
	zone(t, ctx, "Asia/Kolkata")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900))
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/account#time-zone"))
	expectPage(t, ctx, "", "Time zone", "Desk default (Europe/Berlin)", "Suggested from this browser: Asia/Kolkata.")
	if v := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.getElementById("time-zone-select").value`)); v != "Asia/Kolkata" {
		t.Errorf("the picker holds %q, want the browser's zone suggested", v)
	}
	noWiderThan390(t, ctx, "/account with the zone picker")
	screenshot(t, ctx, "zones-account-suggested-390.png")

	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("time-zone-select"), "America/New_York"))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/account/time-zone"] button[type=submit]`))
	expectPage(t, ctx, base+"/account?notice=zone-saved#time-zone", "Saved. Times are now shown in America/New_York.")
	if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#time-zone-suggested").length`)); n != 0 {
		t.Error("a saved zone is still offered a suggestion")
	}
	screenshot(t, ctx, "zones-account-saved-390.png")

	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox"))
	waitForText(t, ctx, "Printer jams")
	title := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.querySelector("table time[title]").title`))
	if !strings.HasSuffix(title, " EST") && !strings.HasSuffix(title, " EDT") {
		t.Errorf("the inbox's time says %q on hover, want America/New_York's", title)
	}
	noWiderThan390(t, ctx, "the inbox")
	screenshot(t, ctx, "zones-inbox-390.png")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "It jams on every page.")
	text := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.querySelector("ol.thread time[title]").textContent`))
	title = fromBrowser(t, ctx, chromedp.Evaluate[string](`document.querySelector("ol.thread time[title]").title`))
	if (text != "just now" && !strings.HasSuffix(text, " ago")) || !strings.Contains(title, " E") {
		t.Errorf("the message's time is %q, %q on hover; want relative, America/New_York's on hover", text, title)
	}
	screenshot(t, ctx, "zones-ticket-390.png")

	// Ada's browser is in Tokyo.
	ada := newBrowser(t, chromium, "browser-zones-customer-failure.png", 120*time.Second)
	zone(t, ada, "Asia/Tokyo")
	inBrowser(t, ada, chromedp.EmulateViewport(390, 900))
	signIn(t, ada, base, "ada@example.com")
	inBrowser(t, ada, chromedp.Navigate(base+"/tickets/1"))
	waitForText(t, ada, "It jams on every page.")
	times := fromBrowser(t, ada, chromedp.Evaluate[[]map[string]string](`Array.from(document.querySelectorAll("time[datetime]")).map(function (el) {
		return {datetime: el.getAttribute("datetime"), text: el.textContent, title: el.title, local: el.getAttribute("data-local")};
	})`))
	if len(times) == 0 {
		t.Fatal("Ada's ticket page has no times")
	}
	for _, tm := range times {
		at, err := time.Parse(time.RFC3339, tm["datetime"])
		if err != nil {
			t.Fatalf("datetime %q: %v", tm["datetime"], err)
		}
		tokyo, _ := time.LoadLocation("Asia/Tokyo")
		day := at.In(tokyo).Format("Jan 2")
		if strings.Contains(tm["text"], "UTC") || !strings.Contains(tm["text"], day) ||
			!strings.Contains(tm["title"], "Japan Standard Time") || !strings.Contains(tm["title"], "(Asia/Tokyo)") || tm["local"] != "Asia/Tokyo" {
			t.Errorf("a time on Ada's page reads %q, %q on hover; want Tokyo's (%s)", tm["text"], tm["title"], day)
		}
	}
	noWiderThan390(t, ada, "Ada's ticket")
	screenshot(t, ada, "zones-portal-tokyo-390.png")
}

// zone puts the browser in an IANA time zone, as if the machine were there.
func zone(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: name}); err != nil {
		t.Fatalf("browser time zone %s: %v", name, err)
	}
}
