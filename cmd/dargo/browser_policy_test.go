package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPolicyBanner: through dargo dev and Chromium, the admin
// previews and publishes a significant privacy policy on /admin/policies;
// the customer, whose account is older, gets the mail, sees the notice in
// her open ticket and the banner on every page, dismisses it, reloads, and
// it stays gone. Screenshots at 1280 and 390 px.
func TestBrowserPolicyBanner(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-policy-failure.png", 90*time.Second)
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))

	// Ada has an account (her mail made it) and an open ticket.
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Where is my invoice?
Message-ID: <invoice.policy@example.com>
Content-Type: text/plain

I cannot find it.
`))
	waitForMail(t, ctx, base, "ada@example.com", "We received your request [#1] Where is my invoice?")

	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/admin/policies"))
	expectPage(t, ctx, base+"/admin/policies", "Policies", "None published: the built-in default is shown.")
	const text = "## What we keep\n\nSign-in records for **30 days**.\n\n<script>alert(1)</script>[x](javascript:alert(2))"
	const summary = "We now keep sign-in records for 30 days instead of 90."
	inBrowser(t, ctx,
		chromedp.SetValue(chromedp.ID("text"), text),
		chromedp.SendKeys(chromedp.ID("summary"), summary),
		chromedp.Click(chromedp.CSS(`input[name=significant]`)))
	clickAndLoad(t, ctx, chromedp.CSS(`button[value=preview]`))
	expectPage(t, ctx, "", "Preview (not published)", "What we keep", "None published")
	if got := fromBrowser(t, ctx, chromedp.Value(chromedp.ID("text"))); got != text {
		t.Errorf("the preview lost the text: %q", got)
	}
	if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(".policy-preview script, .policy-preview a[href^=javascript]").length`)); n != 0 {
		t.Errorf("the preview kept %d scripts or javascript: links", n)
	}
	if !fromBrowser(t, ctx, chromedp.Evaluate[bool](`document.querySelector("input[name=significant]").checked`)) {
		t.Error("the preview unticked Significant")
	}
	screenshot(t, ctx, "policy-admin-preview-1280.png")
	clickAndLoad(t, ctx, chromedp.CSS(`button[value=publish]`))
	expectPage(t, ctx, "", "Published version 1 of the privacy policy.", "tickets that got a notice in their thread now: 1", summary)
	screenshot(t, ctx, "policy-admin-published-1280.png")
	// The admin's account is older than the version: the banner is there too.
	expectPage(t, ctx, "", "Our privacy policy changed on")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/admin/policies"))
	if w := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("/admin/policies is %d px wide at 390 px", w)
	}
	screenshot(t, ctx, "policy-admin-390.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/logout"] button`))

	// Ada gets the mail, and signs in.
	waitForMail(t, ctx, base, "ada@example.com", "We updated our privacy policy")
	signIn(t, ctx, base, "ada@example.com")
	inBrowser(t, ctx, chromedp.Navigate(base+"/tickets/1"))
	expectPage(t, ctx, base+"/tickets/1", "Our privacy policy changed on", summary, "Dismiss")
	expectThread(t, ctx, "inbound", "I cannot find it.", "policy", "Our privacy policy changed on")
	screenshot(t, ctx, "policy-banner-1280.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844), chromedp.Reload())
	if w := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("the page with the banner is %d px wide at 390 px", w)
	}
	screenshot(t, ctx, "policy-banner-390.png")

	clickAndLoad(t, ctx, chromedp.CSS(`section.policy-banner button`))
	expectPage(t, ctx, base+"/tickets/1?banner=dismissed", "Notice dismissed.")
	inBrowser(t, ctx, chromedp.Reload())
	inBrowser(t, ctx, chromedp.Navigate(base+"/tickets"))
	body := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if strings.Contains(body, "Our privacy policy changed on") || strings.Contains(body, "Dismiss") {
		t.Errorf("the banner came back after dismissing:\n%s", body)
	}
	screenshot(t, ctx, "policy-dismissed-390.png")

	// The policy page itself, at 390 px.
	inBrowser(t, ctx, chromedp.Navigate(base+"/privacy"))
	expectPage(t, ctx, base+"/privacy", "Privacy policy", "What we keep", "Last updated", "All versions")
	if w := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("/privacy is %d px wide at 390 px", w)
	}
	screenshot(t, ctx, "policy-page-390.png")

	// Ada's export holds her usage events; she objects to analytics, and
	// her JSON export then shows that choice, when she dismissed the banner,
	// and no usage events: those recorded before went with the objection,
	// and none are recorded after it.
	type exportDoc struct {
		Choices []struct {
			Kind     string     `json:"kind"`
			Objected bool       `json:"objected"`
			Changed  *time.Time `json:"changed_at"`
		} `json:"choices"`
		Dismissals []struct {
			Kind    string `json:"kind"`
			Version int    `json:"version"`
		} `json:"policy_dismissals"`
		Usage []struct {
			Name string `json:"name"`
		} `json:"usage_events"`
	}
	export := func() exportDoc {
		t.Helper()
		raw := fromBrowser(t, ctx, chromedp.Evaluate[string](`fetch("/account/export").then(r => r.text())`, chromedp.EvalAwaitPromise))
		var doc exportDoc
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			t.Fatalf("export: %v\n%s", err, raw)
		}
		return doc
	}
	if doc := export(); len(doc.Usage) == 0 {
		t.Error("no usage events in the export before the objection")
	}
	inBrowser(t, ctx, chromedp.Navigate(base+"/account"))
	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`input[name=analytics]`)))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/account/choices"] button`))
	expectPage(t, ctx, base+"/account?notice=analytics-objected#choices", "Saved: we no longer record how you use Dargo.", "You objected on ")
	inBrowser(t, ctx, chromedp.Navigate(base+"/tickets"))
	doc := export()
	objected := false
	for _, c := range doc.Choices {
		objected = objected || (c.Kind == "analytics" && c.Objected && c.Changed != nil)
	}
	if !objected {
		t.Errorf("the export's choices %+v do not show the objection to analytics", doc.Choices)
	}
	if len(doc.Dismissals) != 1 || doc.Dismissals[0].Kind != "privacy" || doc.Dismissals[0].Version != 1 {
		t.Errorf("the export's policy_dismissals = %+v, want privacy version 1", doc.Dismissals)
	}
	if len(doc.Usage) != 0 {
		t.Errorf("usage events after the objection: %+v", doc.Usage)
	}
}
