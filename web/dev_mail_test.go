package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

const devRaw = "From: Dargo <support@localhost>\r\nTo: ada@example.com\r\nSubject: [#1] We got your request\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n" +
	"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThanks, Ada.\r\n" +
	"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p onclick=\"x()\">Thanks, <b>Ada</b>.</p><script>alert(1)</script>\r\n--b--\r\n"

func TestDevMailPages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		id, err := db.SaveDevMail(context.Background(), &store.DevMail{Sender: "support@localhost", Recipients: "ada@example.com",
			Subject: "[#1] We got your request", Raw: []byte(devRaw)})
		if err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, db, testRedis(t), Opts{DevMail: db})
		get := func(path string) (*http.Response, string) {
			t.Helper()
			res, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res, string(b)
		}
		n := "/dev/mail/" + itoa(id)
		for _, c := range []struct {
			path, status, contains, ctype string
		}{
			{"/dev/mail", "200", `href="` + n + `"`, "text/html"},
			{n, "200", "Thanks, Ada.", "text/html"},
			{n + "/raw", "200", "Subject: [#1] We got your request", "text/plain"},
			{n + "/html", "200", "<b>Ada</b>", "text/html"},
			{"/dev/mail/999999", "404", "", ""},
			{"/dev/mail/x", "404", "", ""},
		} {
			res, body := get(c.path)
			if got := res.Status[:3]; got != c.status {
				t.Errorf("GET %s: %s, want %s", c.path, got, c.status)
				continue
			}
			if !strings.Contains(body, c.contains) {
				t.Errorf("GET %s lacks %q:\n%s", c.path, c.contains, body)
			}
			if c.ctype != "" && !strings.HasPrefix(res.Header.Get("Content-Type"), c.ctype) {
				t.Errorf("GET %s: Content-Type %q", c.path, res.Header.Get("Content-Type"))
			}
			if res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("GET %s: no nosniff", c.path)
			}
		}
		res, body := get(n + "/html")
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("HTML part served without a sandbox CSP: %q", csp)
		}
		for _, bad := range []string{"<script", "onclick", "alert(1)"} {
			if strings.Contains(body, bad) {
				t.Errorf("HTML part not sanitized: contains %q", bad)
			}
		}
	})
}

// TestDevMailLinks: the dev outbox makes http and https links in a mail's
// text clickable and escapes everything else.
func TestDevMailLinks(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"Sign in: http://127.0.0.1:8080/login/confirm?token=abc_-1&x=2\r\nThanks",
			`Sign in: <a href="http://127.0.0.1:8080/login/confirm?token=abc_-1&amp;x=2" rel="noopener noreferrer">http://127.0.0.1:8080/login/confirm?token=abc_-1&amp;x=2</a>` + "\r\nThanks"},
		{"See https://example.com/a.", `See <a href="https://example.com/a" rel="noopener noreferrer">https://example.com/a</a>.`},
		{"(https://example.com/b)", `(<a href="https://example.com/b" rel="noopener noreferrer">https://example.com/b</a>)`},
		{`<script>alert(1)</script> javascript:alert(2) "http://x.example/"onmouseover="y"`,
			`&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(2) &#34;<a href="http://x.example/" rel="noopener noreferrer">http://x.example/</a>&#34;onmouseover=&#34;y&#34;`},
		{"https://<b>x</b> ftp://files.example/ http:// plain", `https://&lt;b&gt;x&lt;/b&gt; ftp://files.example/ http:// plain`},
		{"https://example.com/it's", `<a href="https://example.com/it&#39;s" rel="noopener noreferrer">https://example.com/it&#39;s</a>`},
	} {
		if got := string(linkify(c.text)); got != c.want {
			t.Errorf("linkify(%q) =\n%s\nwant\n%s", c.text, got, c.want)
		}
	}
}
