package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserChoices in Chromium at 390 px: a customer objects to usage
// analytics on /account and finds it in their JSON export; staff record
// the customer's objection to optional mail, received by mail, on the
// customer page. Both pages fit the phone.
func TestBrowserChoices(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-choices-failure.png", 90*time.Second)
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844))
	// fits checks the element (the whole page for "html"): the sessions
	// table further down /account is another part's, with raw user agents.
	fits := func(what, sel string) {
		t.Helper()
		js := `(() => { const e = document.querySelector(` + "`" + sel + "`" + `); return Math.ceil(Math.max(e.getBoundingClientRect().right, e.scrollWidth)) })()`
		if w := fromBrowser(t, ctx, chromedp.Evaluate[int](js)); w > 390 {
			t.Errorf("%s is %d px wide at 390 px", what, w)
		}
	}

	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Please stop the newsletters
Message-ID: <choices.1@example.com>
Content-Type: text/plain

Please send me no more announcements.
`))
	signIn(t, ctx, base, "ada@example.com")
	inBrowser(t, ctx, chromedp.Navigate(base+"/account"))
	expectPage(t, ctx, base+"/account", "Your choices", "Don't send me optional mail (announcements).", "Don't record how I use Dargo (usage analytics).")
	fits("/account's choices", `form[action="/account/choices"]`)
	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`input[name=analytics]`)))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/account/choices"] button`))
	expectPage(t, ctx, base+"/account?notice=analytics-objected#choices", "Saved: we no longer record how you use Dargo.", "You objected on ")
	fits("/account's choices after saving", `form[action="/account/choices"]`)
	screenshot(t, ctx, "account-choices-390.png")

	export := fromBrowser(t, ctx, chromedp.Evaluate[string](`fetch("/account/export").then(r => r.text())`, chromedp.EvalAwaitPromise))
	var doc struct {
		Choices []struct {
			Kind     string `json:"kind"`
			Objected bool   `json:"objected"`
		} `json:"choices"`
	}
	if err := json.Unmarshal([]byte(export), &doc); err != nil {
		t.Fatalf("export: %v\n%s", err, export)
	}
	if len(doc.Choices) != 2 || doc.Choices[0].Objected || !doc.Choices[1].Objected || doc.Choices[1].Kind != "analytics" {
		t.Errorf("export choices = %+v, want analytics objected only", doc.Choices)
	}

	clickAndLoad(t, ctx, chromedp.CSS(`header form[action="/logout"] button`))
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	clickAndLoad(t, ctx, chromedp.CSS(`a[href^="/inbox/customers/"]`))
	expectPage(t, ctx, "", "Their choices", "They object to optional mail (announcements).", "Objected on ")
	fits("the customer page", "html")
	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`form[action$="/choices"] input[name=mail]`)))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action$="/choices"] button`))
	expectPage(t, ctx, "", "Recorded: they object to optional mail.", ", recorded by staff", "by the customer")
	fits("the customer page after saving", "html")
	screenshot(t, ctx, "customer-choices-390.png")
}
