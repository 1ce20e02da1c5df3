package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserNeverLoseAWord: a staff member ("Mia" on /account) types a
// reply and attaches files. The browser refuses a file over the limit
// before uploading it and says so next to the field. A new message from the
// customer holds the reply back: the page opens at the problem with the
// text and the file's chip still there. The draft saves itself, survives a
// reload and shows on a second device; a colleague sees "Mia has a draft".
// Without JavaScript, a file too large for the server keeps the text and
// the chip too. The reply finally goes with the kept file. 1280 and 390 px.
func TestBrowserNeverLoseAWord(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-drafts-failure.png", 180*time.Second)
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: My printer is on fire
Message-ID: <first.drafts@example.com>
Content-Type: text/plain

Please help.
`))
	dir := t.TempDir()
	notes, big := filepath.Join(dir, "notes.txt"), filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(notes, []byte("what I tried"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, make([]byte, 26_200_000), 0o644); err != nil {
		t.Fatal(err)
	}
	eval := func(js string) string { return fromBrowser(t, ctx, chromedp.Evaluate[string](js)) }
	waitFor := func(what, js string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !fromBrowser(t, ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise)); {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not after 15s", what)
			}
			inBrowser(t, ctx, chromedp.Sleep(100*time.Millisecond))
		}
	}
	chips := func() string {
		return eval(`Array.from(document.querySelectorAll(".chip-name"), c => c.textContent).join(",")`)
	}

	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/account"), chromedp.SendKeys(chromedp.ID("display-name"), "Mia"))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/account/profile"] button[type=submit]`))

	// The browser checks sizes before uploading anything.
	for _, width := range []int{390, 1280} {
		w := strconv.Itoa(width)
		inBrowser(t, ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(base+"/inbox/tickets/1"))
		waitForText(t, ctx, "Please help.")
		inBrowser(t, ctx, chromedp.SetUploadFiles(chromedp.ID("files"), []string{notes, big}))
		waitFor("the size check's message", `!document.getElementById("files-error").hidden`)
		if msg := eval(`document.getElementById("files-error").textContent`); msg != "scan.pdf (26.2 MB) is too large: attachments may be 25 MB in all. It was not attached." {
			t.Errorf("the size check says %q", msg)
		}
		if kept := eval(`Array.from(document.getElementById("files").files, f => f.name).join(",")`); kept != "notes.txt" {
			t.Errorf("the file input holds %q after the check, want notes.txt alone", kept)
		}
		if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > width {
			t.Errorf("the ticket page is %d px wide at %d px", sw, width)
		}
		screenshot(t, ctx, "drafts-js-size-check-"+w+".png")
	}

	// Typing saves a draft.
	text := "Unplug it first, then we will send a new fuser."
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("text"), text))
	waitFor("Draft saved", `document.getElementById("draft-status").textContent === "Draft saved"`)

	// Ada writes again before the reply goes: the reply is held back with
	// its text and file, and the page opens at the problem.
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: Re: My printer is on fire
Message-ID: <second.drafts@example.com>
In-Reply-To: <first.drafts@example.com>
References: <first.drafts@example.com>
Content-Type: text/plain

It is spreading to the desk.
`))
	waitFor("Ada's second mail", `fetch(location.pathname + "/presence", {method: "POST"}).then(r => r.json()).then(d =>
		String(d.last_message) !== document.querySelector("[data-last]").dataset.last)`)
	clickAndLoad(t, ctx, chromedp.CSS(`button[value=reply]`))
	expectPage(t, ctx, "", "A new message arrived while you were writing.", "It is spreading to the desk.")
	if got := fromBrowser(t, ctx, chromedp.Value(chromedp.ID("text"))); got != text {
		t.Errorf("after the collision the text is %q", got)
	}
	if c := chips(); c != "notes.txt" {
		t.Errorf("after the collision the files are %q, want notes.txt", c)
	}
	if !fromBrowser(t, ctx, chromedp.Evaluate[bool](`document.activeElement.matches(".compose-top .error[role=alert]") &&
		document.activeElement.getBoundingClientRect().top >= 0 && document.activeElement.getBoundingClientRect().bottom <= innerHeight`)) {
		t.Errorf("the page does not open at the problem: %s", eval(`(a => a.outerHTML.slice(0, 80) + " " + JSON.stringify(a.getBoundingClientRect()) + " " + innerHeight)(document.activeElement)`))
	}
	screenshot(t, ctx, "drafts-collision-kept-1280.png")

	// Opening the page again, and a second device, show the draft and the file.
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	if got := fromBrowser(t, ctx, chromedp.Value(chromedp.ID("text"))); got != text || chips() != "notes.txt" {
		t.Errorf("after a reload: %q with %q", got, chips())
	}
	other := newBrowser(t, chromium, "browser-drafts-other-failure.png", 90*time.Second)
	signInWith(t, other, base, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148", 2)
	inBrowser(t, other, chromedp.Navigate(base+"/inbox/tickets/1"))
	if got := fromBrowser(t, other, chromedp.Value(chromedp.ID("text"))); got != text {
		t.Errorf("the second device shows %q", got)
	}

	// A colleague sees who has a draft.
	inBrowser(t, ctx, chromedp.Navigate(base+"/admin/staff"), chromedp.SendKeys(chromedp.ID("invite-email"), "bo@example.com"))
	clickAndLoad(t, ctx, chromedp.CSS(`form[action="/admin/staff/invite"] button`))
	bo := newBrowser(t, chromium, "browser-drafts-bo-failure.png", 90*time.Second)
	mails := waitForMail(t, bo, base, "bo@example.com", "You are invited to Dargo Support")
	clickAndLoad(t, bo, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
	inBrowser(t, bo, chromedp.Navigate(signInLink(t, bo, base)))
	clickAndLoad(t, bo, chromedp.ID("confirm"))
	for _, width := range []int{1280, 390} {
		inBrowser(t, bo, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(base+"/inbox/tickets/1"))
		expectPage(t, bo, "", "Mia has a draft on this ticket.")
		screenshot(t, bo, "drafts-colleague-sees-"+strconv.Itoa(width)+".png")
	}

	// Without JavaScript the server refuses the large file and keeps the rest.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("browser: disable scripts: %v", err)
	}
	for _, width := range []int{390, 1280} {
		w := strconv.Itoa(width)
		inBrowser(t, ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(base+"/inbox/tickets/1"),
			chromedp.SetUploadFiles(chromedp.ID("files"), []string{big}))
		clickAndLoad(t, ctx, chromedp.CSS(`button[value=reply]`))
		expectPage(t, ctx, "", "scan.pdf is too large: attachments may be 25 MB in all")
		if got := fromBrowser(t, ctx, chromedp.Value(chromedp.ID("text"))); got != text || chips() != "notes.txt" {
			t.Errorf("without JavaScript, after a file too large: %q with %q", got, chips())
		}
		if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(".compose-top .error, #files-error:not([hidden])").length`)); n != 2 {
			t.Errorf("the problem shows %d times, want at the top and next to the field", n)
		}
		screenshot(t, ctx, "drafts-server-too-large-"+w+".png")
	}
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatalf("browser: enable scripts: %v", err)
	}

	// It goes at last, with the kept file; the composer is empty again.
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	clickAndLoad(t, ctx, chromedp.CSS(`button[value=reply]`))
	last := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS(`ol.thread > li.msg:last-child`)))
	if !strings.Contains(last, text) || !strings.Contains(last, "notes.txt") {
		t.Errorf("the last message reads %q, want the reply with notes.txt", last)
	}
	if got := fromBrowser(t, ctx, chromedp.Value(chromedp.ID("text"))); got != "" || chips() != "" {
		t.Errorf("after sending the composer holds %q and %q", got, chips())
	}
	inBrowser(t, bo, chromedp.Reload())
	if body := fromBrowser(t, bo, chromedp.Evaluate[string](`document.body.innerText`)); strings.Contains(body, "has a draft") {
		t.Error("the colleague is still told about a sent draft")
	}
}

// TestBrowserPortalNeverLosesAWord: a customer's new ticket keeps its
// subject, description and accepted file when a file is too large (the
// browser says so first; without a script the server does), a reload shows
// the draft, and the ticket opens with the file.
func TestBrowserPortalNeverLosesAWord(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-portal-drafts-failure.png", 120*time.Second)
	dir := t.TempDir()
	photo, big := filepath.Join(dir, "printer.txt"), filepath.Join(dir, "video.mp4")
	os.WriteFile(photo, []byte("smoke everywhere"), 0o644)
	os.WriteFile(big, make([]byte, 26_000_000), 0o644)
	signIn(t, ctx, base, "ada@example.com")

	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/tickets/new"),
		chromedp.SendKeys(chromedp.ID("subject"), "Printer smoke"), chromedp.SendKeys(chromedp.ID("description"), "It smokes when printing."))
	inBrowser(t, ctx, chromedp.SetUploadFiles(chromedp.ID("files"), []string{photo, big}))
	expectPage(t, ctx, "", "video.mp4 (26.0 MB) is too large")
	screenshot(t, ctx, "drafts-portal-js-size-check-390.png")

	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("browser: disable scripts: %v", err)
	}
	for _, width := range []int{390, 1280} {
		inBrowser(t, ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(base+"/tickets/new"))
		if width == 390 {
			inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("subject"), "Printer smoke"), chromedp.SendKeys(chromedp.ID("description"), "It smokes when printing."),
				chromedp.SetUploadFiles(chromedp.ID("files"), []string{photo, big}))
		} else {
			inBrowser(t, ctx, chromedp.SetUploadFiles(chromedp.ID("files"), []string{big}))
		}
		clickAndLoad(t, ctx, chromedp.CSS(`main form button:not(.sr-only):not(.chip-remove)[type=submit]`))
		expectPage(t, ctx, "", "video.mp4 is too large: attachments may be 25 MB in all")
		subject := fromBrowser(t, ctx, chromedp.Value(chromedp.ID("subject")))
		desc := fromBrowser(t, ctx, chromedp.Value(chromedp.ID("description")))
		chip := fromBrowser(t, ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll(".chip-name"), c => c.textContent).join(",")`))
		if subject != "Printer smoke" || desc != "It smokes when printing." || chip != "printer.txt" {
			t.Errorf("at %d px after a file too large: %q, %q, %q", width, subject, desc, chip)
		}
		if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > width {
			t.Errorf("the new-ticket form is %d px wide at %d px", sw, width)
		}
		screenshot(t, ctx, "drafts-portal-too-large-"+strconv.Itoa(width)+".png")
	}
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatalf("browser: enable scripts: %v", err)
	}
	inBrowser(t, ctx, chromedp.Navigate(base+"/tickets/new"))
	clickAndLoad(t, ctx, chromedp.CSS(`main form button:not(.sr-only):not(.chip-remove)[type=submit]`))
	expectPage(t, ctx, base+"/tickets/1", "Printer smoke", "It smokes when printing.", "printer.txt")
}
