package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/jobs"
)

// TestBrowserQueues: the dev admin opens /admin/queues in a real Chromium,
// at desktop width and at 390 px; asynqmon lists Dargo's three queues, read
// from dev's Redis, and the console reports no CSP violation and no error.
func TestBrowserQueues(t *testing.T) {
	chromium := findChromium(t)
	r := testredis.Open(t, browserRedisDB)
	dev := startDev(t, append(baseEnv("sqlite:"+filepath.Join(t.TempDir(), "d.db")),
		fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB), "DARGO_RELAY_INTERVAL=100ms",
		"DARGO_MAIL_DOMAIN=localhost", "DARGO_DEV_ADMIN=admin@localhost")...)
	base := dev.web
	ctx := newBrowser(t, chromium, "browser-queues-failure.png", 90*time.Second)

	// The sign-in link goes through critical, the customer's confirmation
	// through default; low gets a task for later, which stays there.
	sendMail(t, dev.smtp, "ada@example.com", "support@localhost", crlf(`From: Ada Lovelace <ada@example.com>
To: support@localhost
Subject: My printer is on fire
Message-ID: <queues.page@example.com>
Content-Type: text/plain

Please help.
`))
	if _, err := asynq.NewClientFromRedisClient(r.Client(t)).Enqueue(asynq.NewTask("test:later", nil),
		asynq.Queue(jobs.QueueLow), asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, base, "admin@localhost")
	waitForMail(t, ctx, base, "ada@example.com", "We received your request [#1] My printer is on fire")

	var mu sync.Mutex
	var problems []string
	// report fails the test on what the console said since the last report.
	report := func(t *testing.T, view string) {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			switch {
			case strings.Contains(p, "Content Security Policy") || strings.Contains(p, "Content-Security-Policy"):
				t.Errorf("%s: CSP violation: %s", view, p)
			case strings.HasPrefix(p, "rendering error: Error: <rect> attribute"):
				// asynqmon's charts (recharts) at 390 px are narrower
				// than their margins: its bug, harmless, noted.
				t.Logf("%s: console: %s", view, p)
			default:
				t.Errorf("%s: console: %s", view, p)
			}
		}
		problems = nil
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
				msg = string(e.Entry.Source) + " " + string(e.Entry.Level) + ": " + e.Entry.Text
			}
		case *runtime.EventExceptionThrown:
			msg = "exception: " + e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				msg = "console " + string(e.Type) + ":"
				for _, a := range e.Args {
					msg += " " + string(a.Value) + a.Description
				}
			}
		}
		if msg != "" {
			mu.Lock()
			problems = append(problems, msg)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}

	showsQueues := chromedp.Poll[chromedp.Void](`["critical", "default", "low"].every(q =>
		Array.from(document.querySelectorAll("#root td, #root th")).some(e => e.innerText.trim() === q))`,
		chromedp.WithPollingTimeout(20*time.Second))
	inBrowser(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/admin/queues"), showsQueues)
	expectPage(t, ctx, base+"/admin/queues", "Queue Size", "Tasks Processed")
	screenshot(t, ctx, "queues-desktop.png")
	report(t, "desktop")

	// At 390 px asynqmon's menu takes half the screen until it is folded,
	// as a person would; the SPA keeps that choice.
	inBrowser(t, ctx, chromedp.EmulateViewport(390, 844), chromedp.Reload(), showsQueues)
	screenshot(t, ctx, "queues-390-menu.png")
	inBrowser(t, ctx, chromedp.Click(chromedp.CSS(`button[aria-label="open drawer"]`)), chromedp.Sleep(time.Second))
	screenshot(t, ctx, "queues-390.png")
	t.Logf("at 390 px the page is %d px wide", fromBrowser(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)))
	report(t, "390")

	// The SPA's own routes load from the server too: the dev worker among
	// the servers, and what Redis says about itself.
	inBrowser(t, ctx, chromedp.Navigate(base+"/admin/queues/servers"))
	inBrowser(t, ctx, chromedp.Poll[chromedp.Void](`document.body.innerText.includes("Active Workers")`,
		chromedp.WithPollingTimeout(20*time.Second)))
	screenshot(t, ctx, "queues-servers-390.png")
	inBrowser(t, ctx, chromedp.Navigate(base+"/admin/queues/redis"))
	inBrowser(t, ctx, chromedp.Poll[chromedp.Void](`document.body.innerText.includes("Memory")`,
		chromedp.WithPollingTimeout(20*time.Second)))
	screenshot(t, ctx, "queues-redis-390.png")
	report(t, "servers and redis")

}
