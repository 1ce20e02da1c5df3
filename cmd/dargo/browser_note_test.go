package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserNoteMode: staff start typing a reply, switch the composer to
// an internal note and keep their text; the note mode has its own colour,
// label and button and no status control; the note lands in the thread as
// a note and the ticket keeps its status. At 1280 and at 390 px.
func TestBrowserNoteMode(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-note-mode-failure.png", 90*time.Second)
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: My printer is on fire
Message-ID: <first.note@example.com>
Content-Type: text/plain

Please help.
`))
	signIn(t, ctx, base, "admin@localhost")
	visible := func(sel string) bool {
		return fromBrowser(t, ctx, chromedp.Evaluate[bool](`(e => e !== null && e.getClientRects().length > 0)(document.querySelector("`+sel+`"))`))
	}
	for i, width := range []int{1280, 390} {
		w := strconv.Itoa(width)
		t.Run(w, func(t *testing.T) {
			inBrowser(t, ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(base+"/inbox/tickets/1"))
			waitForText(t, ctx, "Please help.")
			if !visible("#then") || !visible(`button[value=reply]`) || visible(`button[value=note]`) || visible(".note-label") {
				t.Fatal("reply mode does not show the status control and Send reply alone")
			}
			text := "Checked with the vendor: a known fault " + w
			inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("text"), text), chromedp.Click(chromedp.CSS(`label[for=kind-note]`)))
			if got := fromBrowser(t, ctx, chromedp.Value(chromedp.ID("text"))); got != text {
				t.Errorf("after switching to a note the text is %q, want %q", got, text)
			}
			if visible("#then") || !fromBrowser(t, ctx, chromedp.Evaluate[bool](`document.getElementById("then").disabled`)) {
				t.Error("note mode shows or would send the status control")
			}
			if visible(`button[value=reply]`) || !visible(`button[value=note]`) {
				t.Error("note mode does not show Add internal note alone")
			}
			if b := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS(`button[value=note]`))); b != "Add internal note" {
				t.Errorf("the note button says %q", b)
			}
			if l := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS(".note-label"))); l != "Internal note — customers never see this" {
				t.Errorf("the note label says %q", l)
			}
			bg := fromBrowser(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".compose")).backgroundColor`))
			if bg != "rgb(255, 251, 234)" { // the note colour, as .msg-note
				t.Errorf("the composer in note mode has background %s, want the note colour", bg)
			}
			if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > width {
				t.Errorf("the ticket page is %d px wide at %d px", sw, width)
			}
			screenshot(t, ctx, "note-mode-"+w+".png")

			clickAndLoad(t, ctx, chromedp.CSS(`button[value=note]`))
			kinds := fromBrowser(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("ol.thread > li.msg"), m => m.className)`))
			if len(kinds) != 2+i || kinds[len(kinds)-1] != "msg msg-note" {
				t.Fatalf("the thread's messages are %q, want the note last", kinds)
			}
			last := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS(`ol.thread > li.msg:last-child`)))
			if !strings.Contains(last, "Internal note") || !strings.Contains(last, text) {
				t.Errorf("the last message reads %q", last)
			}
			if bg := fromBrowser(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("ol.thread > li.msg:last-child")).backgroundColor`)); bg != "rgb(255, 251, 234)" {
				t.Errorf("the note in the thread has background %s", bg)
			}
			if st := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS(`main .ticket h1 + p .status`))); st != "open" {
				t.Errorf("after a note the ticket is %q, want open", st)
			}
			if fromBrowser(t, ctx, chromedp.Evaluate[bool](`document.getElementById("kind-note").checked`)) {
				t.Error("after a note the composer stays in note mode; a fresh page starts as a reply")
			}
			screenshot(t, ctx, "note-added-"+w+".png")
		})
	}

	// Without JavaScript the stylesheet alone switches the modes; the status
	// control is then posted with the note, and the server ignores it.
	t.Run("no JavaScript", func(t *testing.T) {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("browser: disable scripts: %v", err)
		}
		inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/inbox/tickets/1"))
		text := "Written without a script"
		inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("text"), text), chromedp.Click(chromedp.CSS(`label[for=kind-note]`)))
		if fromBrowser(t, ctx, chromedp.Evaluate[bool](`document.getElementById("then").disabled`)) {
			t.Fatal("the page's script ran although scripts are off")
		}
		if visible("#then") || visible(`button[value=reply]`) || !visible(`button[value=note]`) || !visible(".note-label") {
			t.Error("without JavaScript note mode still shows the status control or Send reply, or lacks its label")
		}
		clickAndLoad(t, ctx, chromedp.CSS(`button[value=note]`))
		if c := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.querySelector("ol.thread > li.msg:last-child").className`)); c != "msg msg-note" {
			t.Errorf("the last message is %q, want the note", c)
		}
		if st := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS(`main .ticket h1 + p .status`))); st != "open" {
			t.Errorf("a note posted with the status control set the ticket %q", st)
		}
	})
}
