package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserStartTicket: staff follow "New ticket" from the inbox, write
// to a new address with a Cc and a file, land on the ticket with the
// notice, and the mail (with the file, the [#N] tag and no "Re:") is in
// the dev outbox for both. A problem keeps what was typed. At 1280 and 390 px.
func TestBrowserStartTicket(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-start-failure.png", 120*time.Second)
	file := filepath.Join(t.TempDir(), "order-1234.txt")
	if err := os.WriteFile(file, []byte("Order 1234: 2 parcels, shipped 3 Dec\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, base, "admin@localhost")
	for _, width := range []int64{390, 1280} {
		inBrowser(t, ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(base+"/inbox"))
		waitForText(t, ctx, "New ticket")
		clickAndLoad(t, ctx, chromedp.CSS(`a[href="/inbox/tickets/new"]`))
		expectPage(t, ctx, base+"/inbox/tickets/new", "Write to a customer first")
		if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); int64(sw) > width {
			t.Errorf("the new-ticket form is %d px wide at %d px", sw, width)
		}
		screenshot(t, ctx, "start-form-"+itoa(width)+".png")
	}
	// A bad Cc: shown at the form, everything typed kept, the file staged.
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("to"), "grace@example.org"),
		chromedp.SendKeys(chromedp.ID("cc"), "ops at example"),
		chromedp.SendKeys(chromedp.ID("subject"), "Your order 1234"),
		chromedp.SendKeys(chromedp.ID("text"), "Your second parcel is delayed by two days."),
		chromedp.SetUploadFiles(chromedp.ID("files"), []string{file}))
	clickAndLoad(t, ctx, chromedp.CSS(`#start-form button[type=submit]:not(.sr-only):not(.chip-remove)`))
	expectPage(t, ctx, "", "is not an email address", "order-1234.txt")
	for id, want := range map[string]string{"to": "grace@example.org", "subject": "Your order 1234", "text": "Your second parcel is delayed by two days."} {
		if got := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.getElementById("`+id+`").value`)); got != want {
			t.Errorf("after the problem, %s holds %q, want %q", id, got, want)
		}
	}
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900))
	screenshot(t, ctx, "start-problem-390.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.SetValue(chromedp.ID("cc"), "ops@example.org"))
	clickAndLoad(t, ctx, chromedp.CSS(`#start-form p > button[type=submit]`))
	expectPage(t, ctx, "", "Ticket #1 started; mail to grace@example.org queued.", "Your second parcel is delayed by two days.", "order-1234.txt", "ops@example.org")
	screenshot(t, ctx, "start-ticket-1280.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900))
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the started ticket is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "start-ticket-390.png")

	for _, to := range []string{"grace@example.org", "ops@example.org"} {
		mails := waitForMail(t, ctx, base, to, "[#1] Your order 1234")
		if to == "grace@example.org" {
			inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))
			clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
			expectPage(t, ctx, "", "Your second parcel is delayed by two days.", "order-1234.txt (text/plain")
			if body := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("main"))); strings.Contains(body, "Re: [#1]") {
				t.Error("the first mail of a staff-started ticket is titled as an answer")
			}
			screenshot(t, ctx, "start-mail-1280.png")
		}
	}

	// Forward the first message to a third party: a participant is
	// refused; the forward shows under the message, and its mail (with
	// the file, the note, and the forward's own Reply-To) is in the outbox.
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, "Your second parcel is delayed by two days.")
	forward := func(to string) {
		inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`details.forward summary`)),
			chromedp.SetValue(chromedp.CSS(`details.forward input[name=to]`), to),
			chromedp.SetValue(chromedp.CSS(`details.forward textarea[name=note]`), "Can you confirm the new date?"))
		clickAndLoad(t, ctx, chromedp.CSS(`details.forward button[type=submit]`))
	}
	forward("ops@example.org")
	expectPage(t, ctx, "", "ops@example.org takes part in this ticket")
	inBrowser(t, ctx, chromedp.SetValue(chromedp.CSS(`details.forward input[name=to]`), "carrier@parcels.example"))
	clickAndLoad(t, ctx, chromedp.CSS(`details.forward button[type=submit]`))
	expectPage(t, ctx, "", "Forwarded; the mail is queued.", "Forwarded to carrier@parcels.example by admin@localhost", "“Can you confirm the new date?”")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 900))
	if sw := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); sw > 390 {
		t.Errorf("the ticket with a forward is %d px wide at 390 px", sw)
	}
	screenshot(t, ctx, "start-forwarded-390.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900))
	screenshot(t, ctx, "start-forwarded-1280.png")
	mails := waitForMail(t, ctx, base, "carrier@parcels.example", "Fwd: [#1] Your order 1234")
	clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
	expectPage(t, ctx, "", "Can you confirm the new date?", "Your second parcel is delayed by two days.", "order-1234.txt (text/plain")
	inBrowser(t, ctx, chromedp.Navigate(base+mails[0].Href+"/raw"))
	if raw := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("body"))); !regexp.MustCompile(`(?m)^Reply-To: <?support\+1-f1-[0-9a-f]{12}@`).MatchString(raw) {
		t.Errorf("the forward's Reply-To is not its own address:\n%s", raw)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
