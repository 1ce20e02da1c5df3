package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/dargo-support/dargo/internal/testredis"
)

// browserRedisDB is the browser tests' Redis database (packages run in
// parallel; the tests of one package do not).
const browserRedisDB = 10

// TestBrowserLogin signs the dev admin in with a real Chromium, only through
// the pages a person uses: the login form, the mail in the dev outbox, the
// confirm button, the account page and the log-out button. It also checks
// the session cookie as the browser stored it, which no HTTP-level test sees.
func TestBrowserLogin(t *testing.T) {
	chromium := findChromium(t)
	base := startDevWeb(t).web
	ctx := newBrowser(t, chromium, "browser-login-failure.png", 60*time.Second)

	// Ask for a link.
	inBrowser(t, ctx, chromedp.Navigate(base+"/login"), chromedp.SendKeys(chromedp.ID("email"), "admin@localhost"))
	clickAndLoad(t, ctx, chromedp.CSS(`main button[type=submit]`))
	expectPage(t, ctx, base+"/login/sent", "Check your email")

	// Open it in the dev outbox; the worker sends it a moment later.
	mails := waitForMail(t, ctx, base, "admin@localhost", "Your sign-in link")
	if len(mails) > 1 {
		t.Errorf("one request put %d sign-in links in the outbox", len(mails))
	}
	clickAndLoad(t, ctx, chromedp.CSS(`main a[href="`+mails[0].Href+`"]`))
	expectPage(t, ctx, "", "Your sign-in link")
	link := signInLink(t, ctx, base)

	// Follow it in two tabs, as when a mail is opened twice, and press the
	// button in the first: the second's button then explains the spent link.
	second, closeSecond := chromedp.NewContext(ctx)
	defer closeSecond()
	inBrowser(t, second, chromedp.Navigate(link))
	expectPage(t, second, link, "Confirm sign-in", "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(link))
	expectPage(t, ctx, link, "Confirm sign-in", "admin@localhost")
	clickAndLoad(t, ctx, chromedp.ID("confirm"))
	expectPage(t, ctx, base+"/inbox", "Inbox") // staff land in the inbox
	clickAndLoad(t, second, chromedp.ID("confirm"))
	expectPage(t, second, base+"/login/confirm", "This link cannot sign you in", "already been used")
	closeSecond()

	// The session cookie is out of scripts' reach, Lax and for the whole site.
	if jar := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.cookie`)); strings.Contains(jar, "dargo_session") {
		t.Errorf("document.cookie shows the session cookie: %q", jar)
	}
	c := sessionCookie(t, ctx, base)
	if c == nil {
		t.Fatal("the browser holds no dargo_session cookie after signing in")
	}
	if !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax || c.Path != "/" {
		t.Errorf("dargo_session: HttpOnly=%v SameSite=%q Path=%q; want true, Lax, /", c.HTTPOnly, c.SameSite, c.Path)
	}

	// Back to the confirm page: the spent link explains itself, whether the
	// browser shows the kept page (and the button is pressed again) or, as
	// Chromium does with a no-store page, loads it afresh.
	inBrowser(t, ctx, chromedp.NavigateBack())
	at := link
	if fromBrowser(t, ctx, chromedp.Evaluate[bool](`document.getElementById("confirm") !== null`)) {
		t.Log("Back showed the kept confirm form; pressing its button again")
		clickAndLoad(t, ctx, chromedp.ID("confirm"))
		at = base + "/login/confirm"
	}
	expectPage(t, ctx, at, "This link cannot sign you in", "already been used")
	inBrowser(t, ctx, chromedp.Navigate(base+"/account"))
	// A spent link does not end the session.
	expectPage(t, ctx, base+"/account", "Your account", "admin@localhost", "(this browser)")

	// Log out.
	clickAndLoad(t, ctx, chromedp.CSS(`header form[action="/logout"] button`))
	expectPage(t, ctx, base+"/login", "Sign in")
	if c := sessionCookie(t, ctx, base); c != nil {
		t.Errorf("dargo_session still set after logging out: %+v", c)
	}
	inBrowser(t, ctx, chromedp.Navigate(base+"/account"))
	if u, _ := url.Parse(fromBrowser(t, ctx, chromedp.Location())); u == nil || u.Path != "/login" {
		t.Errorf("/account after logging out went to %v, want /login", u)
	}
}

// findChromium returns the browser to drive: DARGO_TEST_CHROMIUM or Debian's
// /usr/bin/chromium.
func findChromium(t *testing.T) string {
	t.Helper()
	path := os.Getenv("DARGO_TEST_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("DARGO_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatalf("no Chromium (set DARGO_TEST_CHROMIUM): %v", err)
		}
		t.Skipf("no Chromium (set DARGO_TEST_CHROMIUM): %v", err)
	}
	return path
}

// devServer is a running `dargo dev`, by the addresses it printed.
type devServer struct {
	web    string // the pages, as http://127.0.0.1:port
	smtp   string // the SMTP listener, as 127.0.0.1:port
	outbox string // the dev outbox page
}

// startDev runs `dargo dev` on free ports with env added to the test's
// environment, and returns the addresses it prints. At cleanup it
// interrupts dev and fails the test unless dev stops cleanly within 15s.
func startDev(t *testing.T, env ...string) devServer {
	t.Helper()
	cmd := exec.Command(binary, "dev")
	// Nothing in the test's own environment may send dev's mail or links elsewhere.
	cmd.Env = append(append(os.Environ(), "DARGO_HTTP_ADDR=127.0.0.1:0", "DARGO_SMTP_ADDR=127.0.0.1:0",
		"DARGO_BASE_URL=", "DARGO_MAILER="), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	drained := make(chan struct{})
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() {
			<-drained // Wait closes stdout, so it waits for the reader
			done <- cmd.Wait()
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("dargo dev did not stop cleanly: %v", err)
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Error("dargo dev did not stop within 15s of an interrupt")
		}
		if t.Failed() {
			t.Logf("dargo dev stderr:\n%s", stderr.String())
		}
	})

	// A dev that prints nothing for 30s is killed, which ends the scan.
	hung := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	var d devServer
	line := regexp.MustCompile(`^ *(SMTP in|web|dev outbox): +(?:smtp://)?(\S+)`)
	sc := bufio.NewScanner(stdout)
	for (d.web == "" || d.smtp == "" || d.outbox == "") && sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		switch {
		case m == nil:
		case m[1] == "SMTP in":
			d.smtp = m[2]
		case m[1] == "web":
			d.web = strings.TrimSuffix(m[2], "/login")
		default:
			d.outbox = m[2]
		}
	}
	hung.Stop()
	go func() {
		defer close(drained)
		for sc.Scan() {
		}
	}()
	if d.web == "" || d.smtp == "" || d.outbox == "" {
		t.Fatalf("dargo dev printed no web, SMTP or outbox address; got %+v", d)
	}
	return d
}

// startDevWeb starts `dargo dev` on a fresh SQLite file and the browser
// tests' Redis database, its admin admin@localhost, mail domain localhost,
// with env added.
func startDevWeb(t *testing.T, env ...string) devServer {
	t.Helper()
	r := testredis.Open(t, browserRedisDB)
	// Staff mail waits a second for an Undo (env may say otherwise): the
	// hold is exercised, and tests that wait for a reply wait little.
	return startDev(t, append(append(baseEnv("sqlite:"+filepath.Join(t.TempDir(), "d.db")),
		fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB), "DARGO_RELAY_INTERVAL=100ms",
		"DARGO_MAIL_DOMAIN=localhost", "DARGO_DEV_ADMIN=admin@localhost", "DARGO_UNDO_SECONDS=1"), env...)...)
}

// newBrowser starts a headless Chromium with a fresh profile and returns the
// context its steps run in, which ends after steps. A failed test leaves a
// screenshot of the page, named shot, in DARGO_TEST_ARTIFACTS (else in
// DARGO_TEST_SCREENSHOTS).
func newBrowser(t *testing.T, chromium, shot string, steps time.Duration) context.Context {
	t.Helper()
	profile := t.TempDir() // removed after the browser has stopped
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
	)
	// The browser outlives the steps' deadline by enough to take the screenshot.
	life, cancelLife := context.WithTimeout(context.Background(), steps+30*time.Second)
	t.Cleanup(cancelLife)
	alloc, cancelAlloc := chromedp.NewExecAllocator(life, opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil { // starts it
		t.Fatalf("start %s: %v", chromium, err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		dir := cmp.Or(os.Getenv("DARGO_TEST_ARTIFACTS"), os.Getenv("DARGO_TEST_SCREENSHOTS"))
		if dir == "" {
			t.Logf("no screenshot %s: set DARGO_TEST_ARTIFACTS to keep one", shot)
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Logf("no screenshot %s: %v", shot, err)
			return
		}
		saveScreenshot(t, browser, filepath.Join(dir, shot))
	})
	ctx, cancelSteps := context.WithTimeout(browser, steps)
	t.Cleanup(cancelSteps)
	return ctx
}

// saveScreenshot saves a PNG of the whole page, logging rather than
// failing when it cannot: a screenshot is evidence, not a check.
func saveScreenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("no screenshot %s: %v", filepath.Base(path), err)
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("save screenshot: %v", err)
		return
	}
	t.Logf("screenshot of the page: %s", path)
}

// outboxMail is a row of the dev outbox.
type outboxMail struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Href    string `json:"href"` // /dev/mail/{id}
}

// waitForMail reloads the dev outbox until it lists mail to the address
// with the subject, and returns those rows, newest first. The worker sends
// mail a moment after the step that queues it.
func waitForMail(t *testing.T, ctx context.Context, base, to, subject string) []outboxMail {
	t.Helper()
	const rows = `Array.from(document.querySelectorAll("main tbody tr"), r => ({
		to: r.cells[1].innerText, subject: r.cells[2].innerText.trim(),
		href: r.cells[2].querySelector("a").getAttribute("href")}))`
	for deadline := time.Now().Add(20 * time.Second); ; {
		inBrowser(t, ctx, chromedp.Navigate(base+"/dev/mail"))
		var found []outboxMail
		for _, m := range fromBrowser(t, ctx, chromedp.Evaluate[[]outboxMail](rows)) {
			if strings.Contains(m.To, to) && m.Subject == subject {
				found = append(found, m)
			}
		}
		if len(found) > 0 {
			return found
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail %q to %s in the dev outbox after 20s", subject, to)
		}
		inBrowser(t, ctx, chromedp.Sleep(100*time.Millisecond))
	}
}

// signInLink reads the sign-in link from the mail the dev outbox shows.
func signInLink(t *testing.T, ctx context.Context, base string) string {
	t.Helper()
	mail := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("main pre")))
	m := regexp.MustCompile(regexp.QuoteMeta(base) + `/login/confirm\?token=([A-Za-z0-9_-]*)`).FindStringSubmatch(mail)
	if m == nil || len(m[1]) != 43 {
		t.Fatalf("no sign-in link to %s with a 43-character token in the mail:\n%s", base, mail)
	}
	return m[0]
}

// inBrowser runs browser steps and fails the test at the first error.
func inBrowser(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// fromBrowser runs one browser action and returns its value.
func fromBrowser[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}

// clickAndLoad clicks the element and waits for the page it leads to.
func clickAndLoad[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S) {
	t.Helper()
	fromBrowser(t, ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(sel)))
}

// expectPage checks the page's address (unless want is empty) and that its
// text shows every one of texts.
func expectPage(t *testing.T, ctx context.Context, want string, texts ...string) {
	t.Helper()
	if want != "" {
		if got := fromBrowser(t, ctx, chromedp.Location()); got != want {
			t.Fatalf("browser is at %s, want %s", got, want)
		}
	}
	body := fromBrowser(t, ctx, chromedp.Evaluate[string](`document.body.innerText`))
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Fatalf("the page does not show %q:\n%s", s, body)
		}
	}
}

// sessionCookie returns the browser's dargo_session cookie for the site, or nil.
func sessionCookie(t *testing.T, ctx context.Context, base string) *network.Cookie {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
	if err != nil {
		t.Fatalf("browser: get cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == "dargo_session" {
			return c
		}
	}
	return nil
}
