package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserRating: staff resolve Ada's #1; the resolution mail in the dev
// outbox carries three rating links; Ada, signed out, opens "Good" at
// 390 px and it is recorded at once (the page's script sends it), adds a
// comment, and changes her rating to bad; staff see both on the ticket.
func TestBrowserRating(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-rating-failure.png", 150*time.Second)
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Printer jams
Message-ID: <first.rating@example.com>
Content-Type: text/plain

It jams on every page.
`))
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "It jams on every page.")
	clickAndLoad(t, ctx, chromedp.CSS(`#resolve-form button`))

	mails := waitForMail(t, ctx, base, "ada@example.com", "Your request [#1] was resolved: Printer jams")
	inBrowser(t, ctx, chromedp.Navigate(base+mails[0].Href))
	text := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("main pre")))
	links := map[string]string{}
	for _, m := range regexp.MustCompile(`(Good|Okay|Bad): (`+regexp.QuoteMeta(base)+`/rate/[A-Za-z0-9_-]+)`).FindAllStringSubmatch(text, -1) {
		links[m[1]] = m[2]
	}
	if len(links) != 3 {
		t.Fatalf("the resolution mail has %d rating links, want 3:\n%s", len(links), text)
	}

	// Signed out, on a phone: one click records it.
	clickAndLoad(t, ctx, chromedp.CSS(`header form[action="/logout"] button`))
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900))
	openSelfSending(t, ctx, links["Good"], "Thank you: your rating was recorded.")
	expectPage(t, ctx, links["Good"]+"?done=rated", "You rated this request good", "Anything to add?")
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the rating page is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "rating-recorded-390.png")

	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("comment"), "Quick and kind, thanks!"))
	clickAndLoad(t, ctx, chromedp.CSS(`#rate-comment button[type=submit]`))
	expectPage(t, ctx, "", "Thank you: your comment was saved.")
	if v := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.getElementById("comment").value`)); v != "Quick and kind, thanks!" {
		t.Errorf("the comment box holds %q after saving", v)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`.rate-change button.rate-bad`))
	waitForText(t, ctx, "You rated this request bad")
	screenshot(t, ctx, "rating-changed-390.png")

	// Staff see the rating, its comment and the history.
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))
	signInAgain(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	expectPage(t, ctx, "", "Rated bad", "Quick and kind, thanks!", "Customer rated good", "Customer changed their rating from good to bad")
	screenshot(t, ctx, "rating-staff-1280.png")

	// Ada, signed in, sees her rating on the portal and can change it there.
	clickAndLoad(t, ctx, chromedp.CSS(`header form[action="/logout"] button`))
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900))
	signIn(t, ctx, base, "ada@example.com")
	inBrowser(t, ctx, chromedp.Navigate(base+"/tickets/1"))
	expectPage(t, ctx, "", "You rated this: bad", "Quick and kind, thanks!")
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the portal ticket is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "rating-portal-390.png")
	clickAndLoad(t, ctx, chromedp.CSS(`#rating button.rate-okay`))
	waitForText(t, ctx, "You rated this request okay")
}

// signInAgain is signIn for an address that signed in before in this test:
// it waits for the second sign-in mail rather than opening the first.
func signInAgain(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	inBrowser(t, ctx, chromedp.Navigate(base+"/login"), chromedp.SendKeys(chromedp.ID("email"), email))
	clickAndLoad(t, ctx, chromedp.CSS(`main button[type=submit]`))
	var mails []outboxMail
	for deadline := time.Now().Add(20 * time.Second); len(mails) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("no second sign-in mail to %s", email)
		}
		mails = waitForMail(t, ctx, base, email, "Your sign-in link")
	}
	clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
	inBrowser(t, ctx, chromedp.Navigate(signInLink(t, ctx, base)))
	clickAndLoad(t, ctx, chromedp.ID("confirm"))
}

// openSelfSending opens a page that sends its form by itself as it loads
// (the rating page) and waits until the page it leads to shows want. It
// goes there from script rather than with chromedp.Navigate, whose wait
// for the first page's load the second navigation can cut short ("Inspected
// target navigated or closed").
func openSelfSending(t *testing.T, ctx context.Context, url, want string) {
	t.Helper()
	fromBrowser(t, ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("location.assign(%q)", url)))
	for deadline := time.Now().Add(20 * time.Second); ; {
		body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		if err == nil && strings.Contains(body, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page does not show %q after 20s (%v):\n%s", want, err, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
