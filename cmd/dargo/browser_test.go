package main

import (
	"bufio"
	"bytes"
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

// browserRedisDB is TestBrowserLogin's Redis database (packages run in parallel).
const browserRedisDB = 10

// TestBrowserLogin signs the dev admin in with a real Chromium, only through
// the pages a person uses: the login form, the mail in the dev outbox, the
// confirm button, the account page and the log-out button. It also checks
// the session cookie as the browser stored it, which no HTTP-level test sees.
func TestBrowserLogin(t *testing.T) {
	chromium := findChromium(t)
	base := startDevWeb(t)
	ctx := newBrowser(t, chromium)

	// Ask for a link.
	inBrowser(t, ctx, chromedp.Navigate(base+"/login"), chromedp.SendKeys(chromedp.ID("email"), "admin@localhost"))
	clickAndLoad(t, ctx, chromedp.CSS(`main button[type=submit]`))
	expectPage(t, ctx, base+"/login/sent", "Check your email")

	// Open it in the dev outbox; the worker sends it a moment later.
	const subject = `//main//a[normalize-space()="Your sign-in link"]`
	count := fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null).snapshotLength`, subject)
	for deadline := time.Now().Add(20 * time.Second); ; {
		inBrowser(t, ctx, chromedp.Navigate(base+"/dev/mail"))
		n := fromBrowser(t, ctx, chromedp.Evaluate[int](count))
		if n > 1 {
			t.Errorf("one request put %d sign-in links in the outbox", n)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no sign-in link in the dev outbox after 20s")
		}
		inBrowser(t, ctx, chromedp.Sleep(100*time.Millisecond))
	}
	clickAndLoad(t, ctx, "("+subject+")[1]") // the list is newest first
	expectPage(t, ctx, "", "Your sign-in link")
	mail := fromBrowser(t, ctx, chromedp.Text(chromedp.CSS("main pre")))
	m := regexp.MustCompile(regexp.QuoteMeta(base) + `/login/confirm\?token=([A-Za-z0-9_-]*)`).FindStringSubmatch(mail)
	if m == nil || len(m[1]) != 43 {
		t.Fatalf("no sign-in link to %s with a 43-character token in the mail:\n%s", base, mail)
	}
	link := m[0]

	// Follow it in two tabs, as when a mail is opened twice, and press the
	// button in the first: the second's button then explains the spent link.
	second, closeSecond := chromedp.NewContext(ctx)
	defer closeSecond()
	inBrowser(t, second, chromedp.Navigate(link))
	expectPage(t, second, link, "Confirm sign-in", "admin@localhost")
	inBrowser(t, ctx, chromedp.Navigate(link))
	expectPage(t, ctx, link, "Confirm sign-in", "admin@localhost")
	clickAndLoad(t, ctx, chromedp.ID("confirm"))
	expectPage(t, ctx, base+"/account", "Your account", "admin@localhost", "(this browser)")
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
	expectPage(t, ctx, base+"/account", "(this browser)") // a spent link does not end the session

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

// startDevWeb starts `dargo dev` on a fresh SQLite file and the test's Redis
// database, returns its web address, and interrupts it at cleanup.
func startDevWeb(t *testing.T) string {
	t.Helper()
	r := testredis.Open(t, browserRedisDB)
	env := append(baseEnv("sqlite:"+filepath.Join(t.TempDir(), "d.db")),
		fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB),
		"DARGO_HTTP_ADDR=127.0.0.1:0", "DARGO_SMTP_ADDR=127.0.0.1:0", "DARGO_RELAY_INTERVAL=100ms",
		"DARGO_BASE_URL=", "DARGO_MAILER=", "DARGO_DEV_ADMIN=admin@localhost")
	cmd := exec.Command(binary, "dev")
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
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
	sc := bufio.NewScanner(stdout)
	web := ""
	for web == "" && sc.Scan() {
		if m := regexp.MustCompile(`web: +(http://\S+)/login `).FindStringSubmatch(sc.Text()); m != nil {
			web = m[1]
		}
	}
	go func() {
		for sc.Scan() {
		}
	}()
	if web == "" {
		t.Fatal("dargo dev printed no web address")
	}
	return web
}

// newBrowser starts a headless Chromium with a fresh profile and returns the
// context its steps run in, which ends after 60 seconds. A failed test
// leaves a screenshot of the page in DARGO_TEST_ARTIFACTS.
func newBrowser(t *testing.T, chromium string) context.Context {
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
	life, cancelLife := context.WithTimeout(context.Background(), 90*time.Second)
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
		ctx, cancel := context.WithTimeout(browser, 10*time.Second)
		defer cancel()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Logf("no screenshot: %v", err)
			return
		}
		dir := os.Getenv("DARGO_TEST_ARTIFACTS")
		if dir == "" {
			dir = t.TempDir()
		}
		path := filepath.Join(dir, "browser-login-failure.png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Logf("save screenshot: %v", err)
			return
		}
		t.Logf("screenshot of the page: %s", path)
	})
	steps, cancelSteps := context.WithTimeout(browser, 60*time.Second)
	t.Cleanup(cancelSteps)
	return steps
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
