package main

import (
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testaws"
	"github.com/dargo-support/dargo/internal/testredis"
)

func TestStaffCommand(t *testing.T) {
	databases(t, func(t *testing.T, url string) {
		env := baseEnv(url)
		if _, errOut, code := dargo(t, env, nil, "migrate"); code != 0 {
			t.Fatalf("migrate: %s", errOut)
		}
		for _, step := range []struct {
			args []string
			out  string
			code int
		}{
			{[]string{"staff", "add", "Grace@Example.com"}, "grace@example.com is now staff\n", 0},
			{[]string{"staff", "add", "ada@example.com", "--admin"}, "ada@example.com is now admin\n", 0},
			{[]string{"staff", "add", "--admin", "linus@example.com"}, "linus@example.com is now admin\n", 0},
			{[]string{"staff", "list"}, "ada@example.com\tadmin\ngrace@example.com\tstaff\nlinus@example.com\tadmin\n", 0},
			{[]string{"staff", "remove", "linus@example.com"}, "linus@example.com is now customer\n", 0},
			{[]string{"staff", "list"}, "ada@example.com\tadmin\ngrace@example.com\tstaff\n", 0},
			// Usage errors: exit 2.
			{[]string{"staff", "add", "not-an-address"}, "", 2},
			{[]string{"staff", "add", "a@example.com", "b@example.com"}, "", 2},
			{[]string{"staff", "promote", "a@example.com"}, "", 2},
		} {
			out, errOut, code := dargo(t, env, nil, step.args...)
			if code != step.code || out != step.out {
				t.Errorf("dargo %s: exit %d, out %q (stderr %s); want %d, %q", strings.Join(step.args, " "), code, out, errOut, step.code, step.out)
			}
		}
	})
}

func TestWebRefusesWithoutItsSettings(t *testing.T) {
	url := "sqlite:" + t.TempDir() + "/d.db"
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"DARGO_DATABASE_URL=" + url, "DARGO_SECRET=", "DARGO_REDIS_URL=redis://127.0.0.1:6379/13"}, "DARGO_SECRET"},
		{[]string{"DARGO_DATABASE_URL=" + url, "DARGO_SECRET=" + testSecret, "DARGO_REDIS_URL="}, "DARGO_REDIS_URL"},
		{[]string{"DARGO_DATABASE_URL=" + url, "DARGO_SECRET=" + testSecret, "DARGO_TRUSTED_PROXIES=10.0.0.0/99"}, "DARGO_TRUSTED_PROXIES"},
	} {
		_, errOut, code := dargo(t, tc.env, nil, "web")
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("dargo web with %v: exit %d, %s", tc.env, code, errOut)
		}
	}
}

// TestWebSignInThroughWorkerAndSES walks sign-in on the production path:
// `dargo web` queues the link, `dargo worker` sends it through SES v2
// (moto), the link from the mail SES sent signs in, and SIGTERM stops the
// web process cleanly.
func TestWebSignInThroughWorkerAndSES(t *testing.T) {
	endpoint := testaws.Moto(t)
	testaws.Env(t, endpoint)
	verifyIdentity(t, "help.example.com")
	databases(t, func(t *testing.T, dbURL string) {
		r := testredis.Open(t, redisDB)
		addr := listenAddr(t)
		env := append(baseEnv(dbURL),
			"DARGO_FROM=Help Desk <support@help.example.com>",
			fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB),
			"DARGO_HTTP_ADDR="+addr, "DARGO_BASE_URL=http://"+addr,
			"DARGO_MAILER=ses", "DARGO_SES_MAX_RATE=50", "DARGO_RELAY_INTERVAL=100ms")
		if _, errOut, code := dargo(t, env, nil, "migrate"); code != 0 {
			t.Fatalf("migrate: %s", errOut)
		}
		if _, errOut, code := dargo(t, env, nil, "staff", "add", "agent@example.com"); code != 0 {
			t.Fatalf("staff add: %s", errOut)
		}
		web := startProcess(t, env, "web")
		startProcess(t, env, "worker")
		base := "http://" + addr
		waitHTTP(t, base+"/login")

		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		res, err := c.PostForm(base+"/login", url.Values{"email": {"agent@example.com"}})
		if err != nil || res.StatusCode != 200 || res.Request.URL.Path != "/login/sent" {
			t.Fatalf("POST /login: %v %v", res, err)
		}
		res.Body.Close()
		var link string
		deadline := time.Now().Add(30 * time.Second)
		for link == "" {
			if time.Now().After(deadline) {
				t.Fatal("no sign-in mail reached SES")
			}
			time.Sleep(200 * time.Millisecond)
			link = linkInMoto(t, endpoint, "agent@example.com", base)
		}
		res = get(t, c, link)
		if res.StatusCode != 200 {
			t.Fatalf("GET link: %s", res.Status)
		}
		token := strings.TrimPrefix(link, base+"/login/confirm?token=")
		res, err = c.PostForm(base+"/login/confirm", url.Values{"token": {token}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.Request.URL.Path != "/inbox" || !strings.Contains(string(body), "agent@example.com") || !strings.Contains(string(body), "Inbox") {
			t.Fatalf("after confirm: %s %s\n%s", res.Status, res.Request.URL, body)
		}

		web.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- web.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("dargo web after SIGTERM: %v", err)
			}
		case <-time.After(25 * time.Second):
			t.Error("dargo web did not stop after SIGTERM")
		}
	})
}

// linkInMoto returns the sign-in link in the newest mail SES (moto) sent to
// to, or "" when there is none yet.
func linkInMoto(t *testing.T, endpoint, to, base string) string {
	t.Helper()
	res, err := http.Get(endpoint + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(b), "To: <"+to+">") {
		return ""
	}
	raw, _ := sentByMoto(t, endpoint, "To: <"+to+">")
	decoded, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(raw)))
	m := regexp.MustCompile(regexp.QuoteMeta(base) + `/login/confirm\?token=[A-Za-z0-9_-]{43}`).Find(decoded)
	return string(m)
}

func listenAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHTTP(t *testing.T, u string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if res, err := http.Get(u); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never answered 200", u)
}

func get(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}
