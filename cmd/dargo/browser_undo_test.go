package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// outboxTo lists the subjects of the dev outbox's mails to an address.
func outboxTo(t *testing.T, ctx context.Context, base, to string) []string {
	t.Helper()
	inBrowser(t, ctx, chromedp.Navigate(base+"/dev/mail"))
	var out []string
	for _, m := range fromBrowser(t, ctx, chromedp.Evaluate[[]outboxMail](`Array.from(document.querySelectorAll("main tbody tr"), r => ({
		to: r.cells[1].innerText, subject: r.cells[2].innerText.trim()}))`)) {
		if strings.Contains(m.To, to) {
			out = append(out, m.Subject)
		}
	}
	return out
}

// TestBrowserUndoReply: a staff reply waits with an Undo and a countdown;
// Undo puts the text back in the composer and nothing reaches the outbox,
// even after the window. A reply that resolves is then one mail, which
// says so. At 1280 and 390 px.
func TestBrowserUndoReply(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t, "DARGO_UNDO_SECONDS=6")
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-undo-failure.png", 120*time.Second)
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: My printer is on fire
Message-ID: <first.undo@example.com>
Content-Type: text/plain

Please help.
`))
	log := filepath.Join(t.TempDir(), "fuser-log.txt")
	if err := os.WriteFile(log, []byte("E7 fuser overheat at 09:14\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	chips := func() string {
		return fromBrowser(t, ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll(".chip-name"), c => c.textContent).join(",")`))
	}
	signIn(t, ctx, base, "admin@localhost")
	ticket := base + "/inbox/tickets/1?back=" + url.QueryEscape("/inbox?q=printer")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(ticket))
	waitForText(t, ctx, "Please help.")
	screenshot(t, ctx, "undo-before-reply-1280.png")
	const text = "Have you tried turning it off and on again?"
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("text"), text), chromedp.SetUploadFiles(chromedp.ID("files"), []string{log}))
	clickAndLoad(t, ctx, chromedp.CSS(`#reply-form button[value=reply]`))
	expectPage(t, ctx, "", "Reply sent on #1, status pending.")
	left := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS(".undo .undo-left")))
	inBrowser(t, ctx, chromedp.Sleep(1200*time.Millisecond))
	if later := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS(".undo .undo-left"))); later >= left {
		t.Errorf("the countdown does not count: %s s, then %s s", left, later)
	}
	screenshot(t, ctx, "undo-bar-1280.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900))
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the ticket page with the Undo bar is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "undo-bar-390.png")

	// Undo: the text and the file are the draft, on this page, after a
	// reload and in the list the ticket came from.
	clickAndLoad(t, ctx, chromedp.CSS(`.undo button`))
	expectPage(t, ctx, ticket+"&notice=reply-undone-status",
		"Undone: your reply was not sent; its text and files are back in the composer. The status is back as it was.")
	for _, when := range []string{"after Undo", "after a reload"} {
		if got := fromBrowser(t, ctx, chromedp.Value(chromedp.ID("text"))); got != text {
			t.Errorf("%s the composer holds %q, want %q", when, got, text)
		}
		if got := chips(); got != "fuser-log.txt" {
			t.Errorf("%s the files are %q, want fuser-log.txt", when, got)
		}
		if body := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("ol.thread"))); strings.Contains(body, text) {
			t.Errorf("%s the undone reply is still in the thread", when)
		}
		expectStatus(t, ctx, "open")
		if when == "after Undo" {
			screenshot(t, ctx, "undo-done-390.png")
			inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))
			screenshot(t, ctx, "undo-done-1280.png")
			inBrowser(t, ctx, chromedp.Navigate(ticket))
			waitForText(t, ctx, "Please help.")
		}
	}
	screenshot(t, ctx, "undo-reloaded-1280.png")
	inBrowser(t, ctx, chromedp.Sleep(6*time.Second)) // past the window, and the relay's next pass
	for _, s := range outboxTo(t, ctx, base, "ada@example.com") {
		if strings.HasPrefix(s, "Re: ") {
			t.Errorf("the undone reply reached the outbox: %q", s)
		}
	}

	// The kept text and file, sent with "Then set status: resolved": one
	// mail, with the file.
	inBrowser(t, ctx, chromedp.Navigate(ticket), chromedp.SetValue(chromedp.ID("then"), "resolved"))
	clickAndLoad(t, ctx, chromedp.CSS(`#reply-form button[value=reply]`))
	expectStatus(t, ctx, "resolved")
	mails := waitForMail(t, ctx, base, "ada@example.com", "Re: [#1] My printer is on fire")
	inBrowser(t, ctx, chromedp.Sleep(1500*time.Millisecond)) // a second mail would be here by now
	var got []string
	for _, s := range outboxTo(t, ctx, base, "ada@example.com") {
		if !strings.HasPrefix(s, "We received") {
			got = append(got, s)
		}
	}
	if len(got) != 1 {
		t.Errorf("Ada got %q after a reply that resolved, want the reply alone", got)
	}
	clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
	expectPage(t, ctx, "", text, "We've marked this request as resolved.", "fuser-log.txt (text/plain")
}

// TestBrowserBackToTheList: from a search, open a ticket, resolve it with
// e and land back on the same search, at the row that followed; open
// another and "Send and next" opens the next of that search; u returns.
func TestBrowserBackToTheList(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t, "DARGO_UNDO_SECONDS=8") // long enough for the Undo bar to show (it hides store.UndoMargin before the mail is due)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-back-failure.png", 120*time.Second)
	for i, s := range []string{"Printer one", "Scanner", "Printer two", "Printer three", "Printer four"} {
		sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf("From: Ada <ada@example.com>\nTo: support@localhost\nSubject: "+s+
			"\nMessage-ID: <back."+string(rune('a'+i))+"@example.com>\nContent-Type: text/plain\n\nHelp with "+s+"\n"))
		time.Sleep(1100 * time.Millisecond) // each its own second of last activity
	}
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/inbox"))
	waitForText(t, ctx, "Printer four")
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("q"), "printer"), chromedp.SetValue(chromedp.ID("f-status"), "open"))
	clickAndLoad(t, ctx, chromedp.CSS(`form.filters button[type=submit]`))
	rows := func() []string {
		return fromBrowser(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("table.inbox tbody tr a"), a => a.textContent)`))
	}
	if r := rows(); strings.Join(r, ",") != "Printer four,Printer three,Printer two,Printer one" {
		t.Fatalf("the search lists %q", r)
	}
	list := fromBrowser(t, ctx, chromedp.Evaluate[string](`location.pathname + location.search`))

	// Open "Printer three", resolve it with e: back at the search, at "Printer two".
	clickAndLoad(t, ctx, `//main//a[normalize-space()="Printer three"]`)
	keyAndLoad(t, ctx, "e")
	at := fromBrowser(t, ctx, chromedp.Evaluate[string](`location.pathname + location.search`))
	u, _ := url.Parse(at)
	if u.Path != "/inbox" || u.Query().Get("q") != "printer" || u.Query().Get("status") != "open" {
		t.Errorf("after e the page is %s, want the search %s", at, list)
	}
	if q := fromBrowser(t, ctx, chromedp.Value(chromedp.ID("q"))); q != "printer" {
		t.Errorf("the search box holds %q after e", q)
	}
	expectPage(t, ctx, "", "#4 resolved.")
	if sel := fromBrowser(t, ctx, chromedp.Evaluate[string](`(document.querySelector("tr.selected a") || {}).textContent || ""`)); sel != "Printer two" {
		t.Errorf("after e the selected row is %q, want the one that followed, Printer two", sel)
	}
	if r := rows(); strings.Join(r, ",") != "Printer four,Printer two,Printer one" {
		t.Errorf("the search lists %q after resolving Printer three", r)
	}
	screenshot(t, ctx, "back-after-e-1280.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900))
	screenshot(t, ctx, "back-after-e-390.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))

	// Open "Printer four", Send and next: "Printer two" opens, in the same list.
	clickAndLoad(t, ctx, `//main//a[normalize-space()="Printer four"]`)
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("text"), "Looking into it."))
	clickAndLoad(t, ctx, `//button[normalize-space()="Send and next"]`)
	expectPage(t, ctx, "", "Printer two", "Reply sent. This is the next ticket of your list.", "Reply sent on #5")
	if h1 := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("main h1"))); h1 != "#3 Printer two" {
		t.Errorf("Send and next opened %q, want #3 Printer two", h1)
	}
	screenshot(t, ctx, "send-and-next-1280.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900))
	screenshot(t, ctx, "send-and-next-390.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))
	keyAndLoad(t, ctx, "u")
	at = fromBrowser(t, ctx, chromedp.Evaluate[string](`location.pathname + location.search`))
	if u, _ := url.Parse(at); u.Path != "/inbox" || u.Query().Get("q") != "printer" {
		t.Errorf("u went to %s, want the search", at)
	}
}
