package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/store"
)

// TestBrowserMailLog: staff open a ticket's mail log in Chromium through
// dargo dev. A ticket whose mail went well keeps it closed until its
// summary is clicked; a ticket with a mail that may have gone twice (an
// attempt cut off inside the SES call) and one that failed opens it by
// itself, with the warning on that mail only. It fits 390 px and 1280 px.
func TestBrowserMailLog(t *testing.T) {
	chromium := findChromium(t)
	r := testredis.Open(t, browserRedisDB)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "d.db")
	// As startDevWeb, with the database's address kept to record what a
	// killed worker leaves behind.
	dev := startDev(t, append(baseEnv(dbURL), fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB),
		"DARGO_RELAY_INTERVAL=100ms", "DARGO_MAIL_DOMAIN=localhost", "DARGO_DEV_ADMIN=admin@localhost", "DARGO_UNDO_SECONDS=1")...)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-maillog-failure.png", 120*time.Second)
	for i, subject := range []string{"Toner is low", "My printer is on fire"} {
		sendMail(t, dev.smtp, ada, "support@localhost", crlf(`From: Ada <`+ada+`>
To: support@localhost
Subject: `+subject+`
Message-ID: <maillog.`+strconv.Itoa(i)+`@example.com>
Content-Type: text/plain

Please help.
`))
		waitForMail(t, ctx, base, ada, "We received your request [#"+strconv.Itoa(i+1)+"] "+subject)
	}

	// Ticket 2's confirmation: the worker that first sent it was killed
	// inside the SES call, and the retry sent it again. A status mail to a
	// second address failed.
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bg := context.Background()
	two, err := db.TicketByNumber(bg, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.X.ExecContext(bg, db.X.Rebind(`UPDATE emails SET attempts = 2, interrupted = 1 WHERE ticket_id = ? AND kind = 'confirmation'`), two.ID); err != nil {
		t.Fatal(err)
	}
	err = db.InTx(bg, func(tx *store.Tx) error {
		// Held in the outbox, so that the dev worker leaves it alone.
		_, err := tx.QueueEmail(bg, store.QueuedEmail{To: "billing.department.of.the.analytical.engine@example.com", Kind: store.EmailStatus,
			TicketID: &two.ID, Subject: two.Subject, NotBefore: time.Now().Add(time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var failed int64
	if err := db.X.GetContext(bg, &failed, db.X.Rebind(`SELECT id FROM emails WHERE ticket_id = ? AND kind = 'status'`), two.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkEmailFailed(bg, failed, store.EmailFailed, "gave up retrying: operation error SESv2: SendEmail, https response error StatusCode: 454, Throttling: Maximum sending rate exceeded."); err != nil {
		t.Fatal(err)
	}

	signIn(t, ctx, base, "admin@localhost")
	lines := func() []string {
		return fromBrowser(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#mail-log li"), e => e.innerText.trim().replace(/\s+/g, " "))`))
	}
	isOpen := func() bool {
		return fromBrowser(t, ctx, chromedp.Evaluate[bool](`document.querySelector("#mail-log details").open`))
	}
	for _, width := range []int64{1280, 390} {
		w := strconv.FormatInt(width, 10)
		t.Run(w, func(t *testing.T) {
			setWidth(t, ctx, width)
			inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/1"))
			waitForText(t, ctx, "Please help.")
			if isOpen() {
				t.Error("ticket 1's mail log is open although its mail went well")
			}
			inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`#mail-log summary`)))
			if !isOpen() {
				t.Fatal("clicking the mail log's summary does not open it")
			}
			got := lines()
			if len(got) == 0 || !strings.HasPrefix(got[0], "Confirmation to "+ada) || strings.Contains(strings.Join(got, "\n"), "may have been sent") {
				t.Errorf("ticket 1's mail log reads %q", got)
			}
			if wide := fromBrowser(t, ctx, chromedp.Evaluate[string](widestJS)); wide != "" {
				t.Errorf("ticket 1 with its mail log open scrolls sideways at %d px: %s", width, wide)
			}
			screenshot(t, ctx, "maillog-calm-"+w+".png")
			sectionShot(t, ctx, "#mail-log", "maillog-calm-log-"+w+".png")

			inBrowser(t, ctx, chromedp.Navigate(base+"/inbox/tickets/2"))
			waitForText(t, ctx, "Please help.")
			if !isOpen() {
				t.Error("ticket 2's mail log is closed although a mail may have gone twice")
			}
			got = lines()
			var warned []string
			for _, l := range got {
				if strings.Contains(l, "may have been sent") {
					warned = append(warned, l)
				}
			}
			if len(warned) != 1 || !strings.HasPrefix(warned[0], "Confirmation to "+ada) ||
				!strings.Contains(warned[0], "may have been sent twice — an earlier attempt was cut off while SES had it.") {
				t.Errorf("the warning is on %q; the log reads %q", warned, got)
			}
			if last := got[len(got)-1]; !strings.HasPrefix(last, "Status change to billing.") || !strings.Contains(last, "not sent: failed") {
				t.Errorf("the failed mail reads %q", last)
			}
			if wide := fromBrowser(t, ctx, chromedp.Evaluate[string](widestJS)); wide != "" {
				t.Errorf("ticket 2 with its mail log open scrolls sideways at %d px: %s", width, wide)
			}
			screenshot(t, ctx, "maillog-twice-"+w+".png")
			sectionShot(t, ctx, "#mail-log", "maillog-twice-log-"+w+".png")
		})
	}
}

// sectionShot saves a screenshot of the element sel as name in
// DARGO_TEST_SCREENSHOTS, when that is set: a tall page's detail.
func sectionShot(t *testing.T, ctx context.Context, sel, name string) {
	t.Helper()
	dir := os.Getenv("DARGO_TEST_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		t.Logf("no screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Logf("save screenshot: %v", err)
	}
}
