package main

import (
	"context"
	"fmt"
	"net/mail"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/store"
)

// TestBrowserNotify walks issue 14's pages in Chromium through dargo dev:
// the admin pauses a kind of notice and goes away on /account, and sees it
// saved after a reload; follows a ticket with its button and unfollows it
// with f; writes a note, types @, picks Mia from the suggestions, and Mia
// gets a notice mail that quotes the note and answers to her own reply
// address. Both widths fit: 390 px and 1280 px.
func TestBrowserNotify(t *testing.T) {
	chromium := findChromium(t)
	r := testredis.Open(t, browserRedisDB)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "d.db")
	// As startDevWeb, with the database's address kept to write a held answer.
	dev := startDev(t, append(baseEnv(dbURL), fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB),
		"DARGO_RELAY_INTERVAL=100ms", "DARGO_MAIL_DOMAIN=localhost", "DARGO_DEV_ADMIN=admin@localhost",
		"DARGO_UNDO_SECONDS=1", "DARGO_NOTIFY_DIGEST_SECONDS=1")...)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-notify-failure.png", 120*time.Second)
	fits := func(what string, width int) {
		t.Helper()
		if wide := fromBrowser(t, ctx, chromedp.Evaluate[string](widestJS)); wide != "" {
			t.Errorf("%s scrolls sideways at %d px: %s", what, width, wide)
		}
	}
	checked := func(sel string) bool {
		return fromBrowser(t, ctx, chromedp.Evaluate[bool](`document.querySelector('`+sel+`').checked`))
	}

	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Refund for order 1042
Message-ID: <refund.1042@example.com>
Content-Type: text/plain

I was charged twice for order 1042.
`))
	signIn(t, ctx, base, "admin@localhost")
	setWidth(t, ctx, 1280)
	inBrowser(t, ctx, chromedp.Navigate(base+"/admin/staff"), chromedp.SendKeys(chromedp.ID("invite-email"), "mia@localhost"))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/admin/staff/invite"] button`))
	expectPage(t, ctx, "", "mia@localhost is now staff")

	// Preferences: no mail for new tickets, and away; a reload shows both.
	setWidth(t, ctx, 390)
	inBrowser(t, ctx, chromedp.Navigate(base+"/account#notifications"))
	expectPage(t, ctx, "", "Notifications", "Mail me when", "A new ticket arrives", "Away: pause all notifications")
	if !checked(`input[name=kind][value=new_ticket]`) || checked(`input[name=away]`) {
		t.Fatal("the defaults are not every kind on and not away")
	}
	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`input[name=kind][value=new_ticket]`)), chromedp.Click(chromedp.CSS(`input[name=away]`)))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/account/notifications"] button`))
	expectPage(t, ctx, base+"/account?notice=notices-away#notifications", "Notifications saved. You are away: no notices until you switch this off.")
	inBrowser(t, ctx, chromedp.Navigate(base+"/account"))
	if checked(`input[name=kind][value=new_ticket]`) || !checked(`input[name=kind][value=mention]`) || !checked(`input[name=away]`) {
		t.Error("after a reload /account does not show new tickets off, mentions on and away")
	}
	fits("/account", 390)
	inBrowser(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("notifications").scrollIntoView()`))
	screenshot(t, ctx, "notify-account-390.png")
	setWidth(t, ctx, 1280)
	fits("/account", 1280)
	screenshot(t, ctx, "notify-account-1280.png")

	// Follow with the button, unfollow with f.
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	expectPage(t, ctx, "", "Refund for order 1042", "Followers: nobody", "Follow (f)")
	clickAndLoad(t, ctx, chromedp.CSS(`#follow-form button`))
	expectPage(t, ctx, base+"/inbox/tickets/1?notice=followed-away", "You follow #1, but you are away", "Followers: admin@localhost", "Unfollow (f)")
	fits("the ticket page", 1280)
	screenshot(t, ctx, "notify-followed-1280.png")
	keyAndLoad(t, ctx, "f")
	expectPage(t, ctx, base+"/inbox/tickets/1?notice=unfollowed", "You no longer follow #1", "Followers: nobody", "Follow (f)")

	// A note: @ offers colleagues, Enter picks one.
	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`label[for=kind-note]`)), chromedp.SendKeys(chromedp.ID("text"), "Could you check the refund, @m"))
	options := func() []string {
		return fromBrowser(t, ctx, chromedp.Evaluate[[]string](`(l => l.hidden ? [] : Array.from(l.querySelectorAll("[role=option]"), o => o.textContent))(document.getElementById("mention-list"))`))
	}
	if got := options(); !slices.Equal(got, []string{"mia"}) {
		t.Fatalf("typing @m offers %q, want mia", got)
	}
	if e := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.getElementById("text").getAttribute("aria-expanded")`)); e != "true" {
		t.Errorf("the text box's aria-expanded is %q with suggestions open", e)
	}
	screenshot(t, ctx, "notify-mention-1280.png")
	press(t, ctx, "Enter", 13, "\r")
	if got := fromBrowser(t, ctx, chromedp.Value(chromedp.ID("text"))); got != "Could you check the refund, @mia " {
		t.Fatalf("after Enter the note reads %q", got)
	}
	if got := options(); len(got) != 0 {
		t.Errorf("the suggestions stay open after picking: %q", got)
	}
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("text"), "before Friday?"))
	clickAndLoad(t, ctx, chromedp.CSS(`button[value=note]`))
	link := fromBrowser(t, ctx, chromedp.Evaluate[[]string](`(a => a ? [a.textContent, a.getAttribute("href")] : [])(document.querySelector("ol.thread > li.msg:last-child .body a.mention"))`))
	if len(link) != 2 || link[0] != "@mia" || !strings.HasPrefix(link[1], "/inbox?queue=all&assignee=") {
		t.Errorf("the note's mention is %q, want a link @mia to Mia's tickets", link)
	}
	screenshot(t, ctx, "notify-note-1280.png")

	// At 390 px the suggestions fit too, and Esc closes them.
	setWidth(t, ctx, 390)
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`label[for=kind-note]`)), chromedp.SendKeys(chromedp.ID("text"), "@"))
	if got := options(); !slices.Equal(got, []string{"mia"}) {
		t.Errorf("typing @ offers %q, want mia alone (not the writer)", got)
	}
	fits("the ticket page with suggestions", 390)
	inBrowser(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("text").scrollIntoView({block: "center"})`))
	screenshot(t, ctx, "notify-mention-390.png")
	press(t, ctx, "Escape", 27, "")
	if got := options(); len(got) != 0 {
		t.Errorf("Esc leaves the suggestions open: %q", got)
	}
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1#followers"))
	fits("the ticket page", 390)
	screenshot(t, ctx, "notify-ticket-390.png")

	// Mia is told: a notice mail quotes the note, and its Reply-To is her
	// own address for answering #1 by mail.
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctxDB := context.Background()
	mia, err := db.UserByEmail(ctxDB, "mia@localhost")
	if err != nil {
		t.Fatal(err)
	}
	notices := waitForMail(t, ctx, base, "mia@localhost", "[#1] Refund for order 1042")
	if len(notices) != 1 {
		t.Errorf("the outbox has %d notices to Mia, want 1", len(notices))
	}
	setWidth(t, ctx, 1280)
	clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+notices[0].Href+`"]`))
	text := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("main pre")))
	if !strings.Contains(text, "admin@localhost mentioned you in a note:\n\nCould you check the refund, @mia before Friday?") {
		t.Errorf("the notice to Mia does not quote the note that mentions her:\n%s", text)
	}
	if html := frameText(t, ctx, notices[0].Href+"/html"); !strings.Contains(html, "Could you check the refund, @mia before Friday?") {
		t.Errorf("the HTML part of the notice to Mia does not quote the note:\n%s", html)
	}
	screenshot(t, ctx, "notify-mail-1280.png")
	// A full-page screenshot leaves the sandboxed frame blank: the HTML part on its own.
	inBrowser(t, ctx, chromedp.Navigate(base+notices[0].Href+"/html"))
	screenshot(t, ctx, "notify-mail-html-1280.png")
	inBrowser(t, ctx, chromedp.Navigate(base+notices[0].Href))
	clickAndLoad(t, ctx, `//main//a[normalize-space()="Raw source"]`)
	raw := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.textContent`))
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("the raw source of the notice does not parse: %v\n%s", err, raw)
	}
	replyTo, err := mail.ParseAddress(msg.Header.Get("Reply-To"))
	if err != nil {
		t.Fatalf("the notice's Reply-To %q: %v", msg.Header.Get("Reply-To"), err)
	}
	if n, staffID, ok := replyaddr.ParseStaff(testSecret, "localhost", replyTo.Address); !ok || n != 1 || staffID != mia.ID {
		t.Errorf("the notice's Reply-To %s is for ticket %d and staff %d (%v), want #1 and Mia (%d)", replyTo.Address, n, staffID, ok, mia.ID)
	}
	setWidth(t, ctx, 390)

	// An answer by mail that was held shows as such, for staff to check.
	// (Written through the store: answers by mail arrive by the inbound path.)
	admin, err := db.UserByEmail(ctxDB, "admin@localhost")
	if err != nil {
		t.Fatal(err)
	}
	tk, err := db.TicketByNumber(ctxDB, 1)
	if err != nil {
		t.Fatal(err)
	}
	in, _, err := db.SaveInboundMail(ctxDB, &store.InboundMail{Key: "held-answer", Sender: "admin@localhost"}, []byte("Subject: Re: Refund\r\n\r\nRefund <b>her</b> now.\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.RecordStaffMail(ctxDB, store.StaffMail{InboundMailID: in.ID, TicketID: tk.ID, StaffID: admin.ID,
		From: store.Person{Email: "admin@localhost"}, Subject: "Re: Refund for order 1042", Text: "Refund <b>her</b> now.",
		Reply: "Refund <b>her</b> now.", Held: "the sender could not be verified (no DKIM or SPF pass for localhost)"})
	if err != nil {
		t.Fatal(err)
	}
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	expectPage(t, ctx, "", "Held — answer by mail not sent: the sender could not be verified (no DKIM or SPF pass for localhost)",
		"Refund <b>her</b> now.")
	fits("the ticket page with a held answer", 390)
	inBrowser(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("li[data-held]").scrollIntoView()`))
	screenshot(t, ctx, "notify-held-390.png")
}

// press presses a key as a keyboard does: one key-down event carrying its
// text, so that a page which cancels the key-down also keeps the text out
// (chromedp.KeyEvent types the text in an event of its own).
func press(t *testing.T, ctx context.Context, key string, code int64, text string) {
	t.Helper()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		e := input.DispatchKeyEventParams{Type: typ, Key: key, Code: key, WindowsVirtualKeyCode: code, NativeVirtualKeyCode: code}
		if typ == input.DispatchKeyEventTypeKeyDown {
			e.Text = text
		}
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, e); err != nil {
			t.Fatalf("browser: press %s: %v", key, err)
		}
	}
}
