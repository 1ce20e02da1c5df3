package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/mail"
	"net/smtp"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserWholeLoop walks the README's loop through the pages of
// `dargo dev` in a real Chromium: a customer mails in, staff sign in,
// answer and take notes from the inbox, the customer answers the mail and
// then follows up from the portal. Mail goes in over SMTP and comes out in
// the dev outbox, as it does for a person trying Dargo.
//
// With DARGO_TEST_SCREENSHOTS set it saves full-page screenshots of the
// main pages there, for a person to look at, whatever the outcome.
func TestBrowserWholeLoop(t *testing.T) {
	chromium := findChromium(t)
	dev := startDevWeb(t)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-loop-failure.png", 60*time.Second)
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 800))
	const (
		subject = "My printer is on fire"
		first   = "my printer is on fire. There is smoke everywhere."
		reply   = "Have you tried turning it off?"
		note    = "Printer model is a LaserJet 4; check the warranty."
		answer  = "Yes, still on fire."
		thanks  = "Thanks!"
	)

	// 1. Ada mails support, with a formatted part and a photo.
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", firstMail(t, subject, first))

	// 2. She is told it arrived.
	waitForMail(t, ctx, base, "ada@example.com", "We received your request [#1] "+subject)

	// 3. The admin signs in.
	signIn(t, ctx, base, "admin@localhost")
	expectPage(t, ctx, base+"/inbox", "Inbox")

	// 4. The inbox lists the ticket; j selects it and Enter opens it.
	rows := fromBrowser(t, ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("table.inbox tbody tr"), r => r.innerText)`))
	if len(rows) != 1 || !strings.Contains(rows[0], subject) || !strings.Contains(rows[0], "Ada Lovelace") ||
		!strings.Contains(rows[0], "open") {
		t.Fatalf("inbox rows = %q, want ticket 1 from Ada Lovelace, open", rows)
	}
	inBrowser(t, ctx, chromedp.KeyEvent("j"))
	selected := fromBrowser(t, ctx, chromedp.Evaluate[[]bool](`[
		document.querySelector("table.inbox tbody tr").classList.contains("selected"),
		document.activeElement === document.querySelector("table.inbox tbody tr a")]`))
	if !selected[0] || !selected[1] {
		t.Fatalf("after j: first row selected %v, its link focused %v; want both", selected[0], selected[1])
	}
	screenshot(t, ctx, "inbox.png")
	keyAndLoad(t, ctx, kb.Enter)
	// The ticket's address carries the list it was opened from (issue 13).
	expectPage(t, ctx, base+"/inbox/tickets/1?back=%2finbox", "#1 "+subject, "printer.png")
	expectThread(t, ctx, "inbound", first)

	// 5. The formatted mail opens in a sandboxed frame.
	clickAndWait(t, ctx, `//summary[normalize-space()="Show the original (formatted) mail"]`,
		`document.querySelector("li.msg details:has(iframe)").open`)
	expectPage(t, ctx, "", "Remote images are blocked.")
	sandbox := fromBrowser(t, ctx, chromedp.AttributeValue(chromedp.CSS("li.msg iframe"), "sandbox"))
	if !sandbox.Exists || strings.Contains(sandbox.Value, "allow-scripts") || strings.Contains(sandbox.Value, "allow-same-origin") {
		t.Errorf("the mail's iframe has sandbox=%q (set %v); want it set, without scripts or same origin", sandbox.Value, sandbox.Exists)
	}
	if text := frameText(t, ctx, "/messages/"); !strings.Contains(text, "my printer is on fire") {
		t.Errorf("the mail's iframe shows %q, want the formatted mail", text)
	}

	// A reply to the customer, the default, then an internal note.
	if !fromBrowser(t, ctx, chromedp.Evaluate[bool](`document.querySelector("input[name=kind][value=reply]").checked`)) {
		t.Error(`"Reply to customer" is not the default kind`)
	}
	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("text"), reply))
	clickAndLoad(t, ctx, chromedp.CSS(`#reply-form button[value=reply]`))
	expectPage(t, ctx, base+"/inbox/tickets/1?back=%2Finbox#latest")
	expectThread(t, ctx, "inbound", first, "outbound", reply)
	expectStatus(t, ctx, "pending")

	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`label[for=kind-note]`)), chromedp.SendKeys(chromedp.ID("text"), note))
	clickAndLoad(t, ctx, chromedp.CSS(`#reply-form button[value=note]`))
	expectThread(t, ctx, "inbound", first, "outbound", reply, "note", note)

	// Priority, from the side form, lands in the history.
	inBrowser(t, ctx, chromedp.SetValue(chromedp.ID("priority"), "high"))
	clickAndLoad(t, ctx, chromedp.CSS(`#update-form button[type=submit]`))
	expectPage(t, ctx, base+"/inbox/tickets/1?back=%2Finbox&saved=priority%3Anormal", "Saved: priority normal → high.")
	if h := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("ol.history"))); !strings.Contains(h, "admin@localhost: priority normal → high") {
		t.Errorf("history does not show the priority change:\n%s", h)
	}

	// 6. The reply reaches Ada's mailbox, and she answers it.
	mails := waitForMail(t, ctx, base, "ada@example.com", "Re: [#1] "+subject)
	if len(mails) != 1 {
		t.Errorf("the outbox has %d replies to Ada, want 1 (the note must not be mailed)", len(mails))
	}
	clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
	expectPage(t, ctx, base+mails[0].Href, reply)
	clickAndLoad(t, ctx, `//main//a[normalize-space()="Raw source"]`)
	raw := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.textContent`))
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("the raw source of the reply does not parse: %v\n%s", err, raw)
	}
	msgID := msg.Header.Get("Message-Id")
	replyTo, err := mail.ParseAddress(msg.Header.Get("Reply-To"))
	if msgID == "" || err != nil || !strings.HasPrefix(replyTo.Address, "support+1-") {
		t.Fatalf("reply has Message-ID %q and Reply-To %q (%v); want both, the reply address of ticket 1", msgID, msg.Header.Get("Reply-To"), err)
	}
	if strings.Contains(raw, note) {
		t.Errorf("the mail to the customer contains the internal note:\n%s", raw)
	}
	sendMail(t, dev.smtp, "ada@example.com", replyTo.Address, answerMail(replyTo.Address, "Re: [#1] "+subject, msgID, answer))

	// 7. Her answer is threaded into the ticket, which is open again.
	inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
	waitForText(t, ctx, answer)
	expectThread(t, ctx, "inbound", first, "outbound", reply, "note", note, "inbound", answer)
	expectStatus(t, ctx, "open")
	screenshot(t, ctx, "staff-ticket.png")

	// 8. Ada signs in and sees the ticket, without the note.
	clickAndLoad(t, ctx, chromedp.CSS(`header form[action="/logout"] button`))
	expectPage(t, ctx, base+"/login", "Sign in")
	signIn(t, ctx, base, "ada@example.com")
	expectPage(t, ctx, base+"/tickets", "Your tickets")
	if rows := fromBrowser(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("table.list tbody tr"),
		r => r.cells[0].innerText + " " + r.cells[1].innerText)`)); !slices.Equal(rows, []string{"1 " + subject}) {
		t.Fatalf("Ada's tickets are %q, want only #1", rows)
	}
	clickAndLoad(t, ctx, `//main//a[normalize-space()="`+subject+`"]`)
	expectPage(t, ctx, base+"/tickets/1", "#1 "+subject, "printer.png")
	expectThread(t, ctx, "inbound", first, "outbound", reply, "inbound", answer)
	if body := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.innerText`)); strings.Contains(body, note) ||
		strings.Contains(body, "Internal note") {
		t.Errorf("the customer sees the internal note:\n%s", body)
	}
	screenshot(t, ctx, "customer-ticket.png")

	inBrowser(t, ctx, chromedp.SendKeys(chromedp.ID("text"), thanks))
	clickAndLoad(t, ctx, chromedp.CSS(`main form[action^="/tickets/1/reply"] button[type=submit]`))
	expectPage(t, ctx, base+"/tickets/1#latest")
	expectThread(t, ctx, "inbound", first, "outbound", reply, "inbound", answer, "inbound", thanks)

	// The pages a person looks at next, for the screenshots.
	inBrowser(t, ctx, chromedp.Navigate(base+"/tickets/new"))
	expectPage(t, ctx, base+"/tickets/new", "New ticket")
	screenshot(t, ctx, "new-ticket.png")
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(base+"/tickets/1"))
	expectPage(t, ctx, base+"/tickets/1", thanks)
	screenshot(t, ctx, "customer-ticket-phone.png")
}

// signIn signs the browser in as email through the login form, the mail in
// the dev outbox and the confirm button.
func signIn(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	inBrowser(t, ctx, chromedp.Navigate(base+"/login"), chromedp.SendKeys(chromedp.ID("email"), email))
	clickAndLoad(t, ctx, chromedp.CSS(`main button[type=submit]`))
	expectPage(t, ctx, base+"/login/sent", "Check your email")
	mails := waitForMail(t, ctx, base, email, "Your sign-in link")
	clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
	link := signInLink(t, ctx, base)
	inBrowser(t, ctx, chromedp.Navigate(link))
	expectPage(t, ctx, link, "Confirm sign-in", email)
	clickAndLoad(t, ctx, chromedp.ID("confirm"))
}

// expectThread checks the ticket page's messages, oldest first, as pairs
// of kind (inbound, outbound, note) and the text the message shows.
func expectThread(t *testing.T, ctx context.Context, kindText ...string) {
	t.Helper()
	got := fromBrowser(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("ol.thread > li.msg"),
		m => [m.className.replace(/^msg msg-/, ""), m.querySelector(".body").innerText.trim()]).flat()`))
	for i := 1; i < len(got) && i < len(kindText); i += 2 {
		if strings.Contains(got[i], kindText[i]) {
			got[i] = kindText[i] // the mail's greeting and signature do not matter
		}
	}
	if !slices.Equal(got, kindText) {
		t.Fatalf("the thread shows (kind, text) %q, want %q", got, kindText)
	}
}

// expectStatus checks the status the ticket page shows.
func expectStatus(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	if got := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("main .status"))); got != want {
		t.Errorf("the ticket's status is %q, want %q", got, want)
	}
}

// waitForText reloads the page until it shows text, for changes that
// arrive from outside the browser.
func waitForText(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		body := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.innerText`))
		if strings.Contains(body, text) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page does not show %q after 20s:\n%s", text, body)
		}
		inBrowser(t, ctx, chromedp.Sleep(100*time.Millisecond), chromedp.Reload())
	}
}

// keyAndLoad presses the key and waits for the page it leads to.
func keyAndLoad(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.KeyEvent(key))); err != nil {
		t.Fatalf("browser: pressing %q loaded no page: %v", key, err)
	}
}

// clickAndWait clicks the element and waits until the expression is true.
func clickAndWait[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S, until string) {
	t.Helper()
	inBrowser(t, ctx, chromedp.Click(sel), chromedp.Poll[chromedp.Void](until, chromedp.WithPollingTimeout(10*time.Second)))
}

// frameText waits until an iframe of the page whose address contains path
// has loaded, and returns its text. Chromium runs a sandboxed iframe in a
// process of its own, as a target of its own, so the text is read there.
func frameText(t *testing.T, ctx context.Context, path string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		for _, i := range infos {
			if i.Type != "iframe" || !strings.Contains(i.URL, path) {
				continue
			}
			frame, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(i.TargetID), chromedp.WithDetachOnCancel())
			text, err := chromedp.Run(frame, chromedp.Evaluate[*string](`document.readyState === "complete" ? document.body.innerText : null`))
			cancel()
			if err != nil {
				t.Fatalf("browser: frame %s: %v", i.URL, err)
			}
			if text != nil {
				return *text
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no iframe target for %s loaded within 10s", path)
		}
		inBrowser(t, ctx, chromedp.Sleep(100*time.Millisecond))
	}
}

// screenshot saves a full-page screenshot as name in DARGO_TEST_SCREENSHOTS,
// when that is set.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("DARGO_TEST_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	saveScreenshot(t, ctx, filepath.Join(dir, name))
}

// sendMail hands a mail to dev's SMTP listener.
func sendMail(t *testing.T, addr, from, to string, msg []byte) {
	t.Helper()
	if err := smtp.SendMail(addr, nil, from, []string{to}, msg); err != nil {
		t.Fatalf("send mail to %s over SMTP: %v", to, err)
	}
}

// firstMail is a customer's first mail as a mail program writes it: text
// and HTML alternatives, the HTML with a remote image, and a small PNG.
func firstMail(t *testing.T, subject, text string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = []uint8{255, 96, 0, 255}[i%4] // orange, as fire
	}
	img.Set(0, 0, color.Black)
	var pic bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	return crlf(fmt.Sprintf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: %s
Date: %s
Message-ID: <first.%d@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed"

--mixed
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8

Hello,

%s

Ada
--alt
Content-Type: text/html; charset=utf-8

<p>Hello,</p><p><b>%s</b></p><p><img src="https://images.example.com/printer.jpg" alt="Photo of the printer"></p><p>Ada</p>
--alt--
--mixed
Content-Type: image/png; name="printer.png"
Content-Disposition: attachment; filename="printer.png"
Content-Transfer-Encoding: base64

%s
--mixed--
`, subject, time.Now().Format(time.RFC1123Z), time.Now().UnixNano(), text, text, wrap76(base64.StdEncoding.EncodeToString(pic.Bytes()))))
}

// answerMail is a customer's answer to a mail from support.
func answerMail(to, subject, inReplyTo, text string) []byte {
	return crlf(fmt.Sprintf(`From: Ada Lovelace <ada@example.com>
To: %s
Subject: %s
Date: %s
Message-ID: <answer.%d@example.com>
In-Reply-To: %s
References: %s
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

%s
`, to, subject, time.Now().Format(time.RFC1123Z), time.Now().UnixNano(), inReplyTo, inReplyTo, text))
}

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

// wrap76 breaks base64 into lines of 76 characters, as MIME asks.
func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}
