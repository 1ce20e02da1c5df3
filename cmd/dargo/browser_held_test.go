package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dargo-support/dargo/internal/testredis"
)

// TestBrowserHeldMail: two mails over DARGO_MAX_MAIL_BYTES arrive through
// dargo dev's SMTP listener and are held; the admin sees them on
// /admin/held at 390 px with a plain-text preview (the hostile HTML in them
// as text), releases one into a new ticket and deletes the other.
func TestBrowserHeldMail(t *testing.T) {
	chromium := findChromium(t)
	r := testredis.Open(t, browserRedisDB)
	dev := startDev(t, append(baseEnv("sqlite:"+filepath.Join(t.TempDir(), "d.db")),
		fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB), "DARGO_RELAY_INTERVAL=100ms",
		"DARGO_MAIL_DOMAIN=localhost", "DARGO_DEV_ADMIN=admin@localhost", "DARGO_MAX_MAIL_BYTES=3000")...)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-held-failure.png", 60*time.Second)
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844))

	for _, m := range []struct{ from, subject, text string }{
		{"ada@example.com", "Scans of the broken printer", "Here are <b>the scans</b> you asked for."},
		{"mallory@evil.test", "Invoice overdue", "<script>alert(1)</script>Pay now."},
	} {
		sendMail(t, dev.smtp, m.from, "support@localhost", crlf("From: "+m.from+"\nTo: support@localhost\nSubject: "+m.subject+
			"\nMessage-ID: <"+strings.ReplaceAll(m.subject, " ", ".")+"@example.com>\nContent-Type: text/plain\n\n"+
			m.text+"\n"+strings.Repeat("scan data line\n", 300)))
	}
	signIn(t, ctx, base, "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(base+"/admin/held"))
	waitForText(t, ctx, "Invoice overdue")
	expectPage(t, ctx, base+"/admin/held", "Held mail", "ada@example.com", "Scans of the broken printer",
		"Here are <b>the scans</b> you asked for.", "<script>alert(1)</script>Pay now.", "exceeds DARGO_MAX_MAIL_BYTES (3000)")
	if n := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("main script, main b").length`)); n != 0 {
		t.Errorf("the preview rendered %d HTML elements from the mail", n)
	}
	if w := fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 390 {
		t.Errorf("the held-mail page is %d px wide at 390 px", w)
	}
	screenshot(t, ctx, "held-390.png")

	// Newest first: Mallory's mail is the first row. Delete it, after the confirmation step.
	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`main tbody tr:first-child summary`)))
	clickAndLoad(t, ctx, chromedp.CSS(`main tbody tr:first-child form[action$="/delete"] button`))
	expectPage(t, ctx, base+"/admin/held?notice=deleted", "Deleted: the mail's bytes are gone")
	if body := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.innerText`)); strings.Contains(body, "mallory@evil.test") {
		t.Errorf("the deleted mail is still listed:\n%s", body)
	}

	clickAndLoad(t, ctx, chromedp.CSS(`main tbody tr:first-child form[action$="/release"] button`))
	expectPage(t, ctx, base+"/admin/held?notice=created&ticket=1", "Released: the mail opened a new ticket.", "No mail is held.")
	screenshot(t, ctx, "held-released-390.png")
	clickAndLoad(t, ctx, chromedp.CSS(`main p.notice a[href="/inbox/tickets/1"]`))
	expectPage(t, ctx, base+"/inbox/tickets/1", "Scans of the broken printer", "Here are <b>the scans</b> you asked for.")
}
