package web

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"

	"github.com/hibiken/asynqmon"
	"github.com/redis/go-redis/v9"
)

// queuesRoot is where admins see the queues: asynq's own web UI.
const queuesRoot = "/admin/queues"

// adminQueues serves asynqmon read-only under queuesRoot. asynqmon's page
// would load Google's fonts and needs two inline scripts and, for its
// styles, inline <style> elements: so the page is served from a copy
// without the third-party links, under a CSP of its own that allows the
// two scripts by hash and the styles by a per-request nonce, which the
// SPA's style library reads from a meta tag.
type adminQueues struct {
	ui http.Handler
	// index is asynqmon's page with nonceMark where each request's nonce goes.
	index   []byte
	scripts []string // CSP sources of the page's inline scripts
}

// nonceMark stands in the page for the style nonce.
const nonceMark = "DARGO-STYLE-NONCE"

// sharedRedis hands asynqmon the web tier's own Redis client (the queue's
// Redis: DARGO_REDIS_URL) instead of a second pool. asynqmon would close
// it only through its Close, which we never call.
type sharedRedis struct{ c redis.UniversalClient }

func (s sharedRedis) MakeRedisClient() any { return s.c }

// dropLinks matches the page's links to another origin (Google Fonts) and
// its web app manifest, which browsers fetch without the session cookie
// (so they would get the login form).
var dropLinks = regexp.MustCompile(`<link [^>]*(href="https?://[^"]*"|rel="manifest")[^>]*/?>`)

// inlineScript matches the page's inline scripts and their text.
var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

func newAdminQueues(rdb redis.UniversalClient) (*adminQueues, error) {
	ui := asynqmon.New(asynqmon.Options{
		RootPath:     queuesRoot,
		RedisConnOpt: sharedRedis{rdb},
		ReadOnly:     true,
		// No PrometheusAddress: the metrics view stays off.
	})
	rec := httptest.NewRecorder()
	ui.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, queuesRoot+"/", nil))
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("web: asynqmon page: %d", rec.Code)
	}
	page := dropLinks.ReplaceAll(rec.Body.Bytes(), nil)
	q := &adminQueues{ui: ui}
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[1])
		q.scripts = append(q.scripts, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	if len(q.scripts) == 0 || bytes.Contains(page, []byte("https://")) || bytes.Contains(page, []byte(`"manifest"`)) {
		return nil, fmt.Errorf("web: asynqmon page not as expected")
	}
	q.index = bytes.Replace(page, []byte("<head>"),
		[]byte(`<head><meta property="csp-nonce" content="`+nonceMark+`"/>`), 1)
	return q, nil
}

// csp is the subtree's policy: asynqmon's page and its JSON, nothing from
// another origin.
func (q *adminQueues) csp(nonce string) string {
	return "default-src 'none'; script-src 'self' " + strings.Join(q.scripts, " ") + "; " +
		"style-src 'self' 'nonce-" + nonce + "'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
		"form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
}

// ServeHTTP refuses anything but reading before asynqmon sees the request
// (asynqmon's ReadOnly covers only its API), and serves the page itself.
func (q *adminQueues) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "The queues are read-only here.", http.StatusMethodNotAllowed)
		return
	}
	nonce := rand.Text()
	w.Header().Set("Content-Security-Policy", q.csp(nonce))
	noStore(w) // task lists, last errors, Redis INFO: admin-only data
	rest := strings.TrimPrefix(r.URL.Path, queuesRoot)
	if strings.HasPrefix(rest, "/api/") {
		// asynqmon leaves its JSON to sniffing, which says text/plain.
		w.Header().Set("Content-Type", "application/json")
		q.ui.ServeHTTP(w, r)
		return
	}
	if strings.HasPrefix(rest, "/static/") || (rest != "" && strings.Contains(path.Base(rest), ".")) {
		q.ui.ServeHTTP(w, r)
		return
	}
	// Every other path is one of the SPA's own routes: its page.
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// #nosec G705 -- asynqmon's own page, rendered once at start; only the nonce (base32 from crypto/rand) is put in
	w.Write(bytes.Replace(q.index, []byte(nonceMark), []byte(nonce), 1))
}
