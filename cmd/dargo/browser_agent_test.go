package main

import (
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserAgentProfile: on a 390 px phone the admin sets how customers
// see them on /account — a spoofing name is refused with everything typed
// kept — then answers a ticket; the mail in the dev outbox comes from
// "Mia from Dargo Support" at the desk's address and ends the reply with
// the signature, and the customer's page names Mia.
func TestBrowserAgentProfile(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-agent-failure.png", 90*time.Second)
	const (
		subject   = "Scanner jams"
		signature = "Mia — printers and scanners"
		reply     = "Open the lid and pull gently."
	)
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(fmt.Sprintf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: %s
Date: %s
Message-ID: <agent.%d@example.com>
Content-Type: text/plain; charset=utf-8

It jams on every page.
`, subject, time.Now().Format(time.RFC1123Z), time.Now().UnixNano())))
	waitForMail(t, ctx, base, "ada@example.com", "We received your request [#1] "+subject)

	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Navigate(base+"/account#profile"))
	expectPage(t, ctx, base+"/account#profile", "How customers see you", "Display name", "Signature")

	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("display-name"), "Mia <boss@bank.test>"),
		chromedp.SendKeys(chromedp.ID("signature"), signature))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/account/profile"] button[type=submit]`))
	expectPage(t, ctx, base+"/account/profile", `The display name may not contain < > " or @.`)
	kept := fromBrowser(t, ctx, chromedp.Evaluate[[]string](`[document.getElementById("display-name").value, document.getElementById("signature").value]`))
	if kept[0] != "Mia <boss@bank.test>" || kept[1] != signature {
		t.Errorf("the refused form holds %q, want what was typed", kept)
	}
	if w := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("the account page is %d px wide at 390 px", w)
	}
	screenshot(t, ctx, "agent-profile-refused-390.png")

	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("display-name"), "Mia"))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/account/profile"] button[type=submit]`))
	expectPage(t, ctx, base+"/account?notice=profile-saved#profile", "Saved: your replies now go out as shown here.", "as “Mia from” our team’s name")
	screenshot(t, ctx, "agent-profile-saved-390.png")

	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/inbox/tickets/1"), chromedp.SendKeys(chromedp.ID("text"), reply))
	clickAndLoad(t, ctx, chromedp.CSS(`#reply-form button[value=reply]`))
	mails := waitForMail(t, ctx, base, "ada@example.com", "Re: [#1] "+subject)
	clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
	clickAndLoad(t, ctx, `//main//a[normalize-space()="Raw source"]`)
	raw := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.textContent`))
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("the raw reply does not parse: %v\n%s", err, raw)
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil || from.Name != "Mia from Dargo Support" || from.Address != "support@localhost" {
		t.Errorf("From = %q (%v), want \"Mia from Dargo Support\" <support@localhost>", msg.Header.Get("From"), err)
	}
	if strings.Contains(raw, "admin@localhost") {
		t.Error("the reply shows the staff member's own address")
	}
	inBrowser(t, ctx, chromedp.Navigate(base+mails[0].Href))
	if body := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.innerText`)); !strings.Contains(body, reply+"\n\n"+signature) &&
		!strings.Contains(body, reply+"\n"+signature) {
		t.Errorf("the mail does not end the reply with the signature:\n%s", body)
	}
	screenshot(t, ctx, "agent-reply-mail.png")
}
