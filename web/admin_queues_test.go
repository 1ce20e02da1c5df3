package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

func TestAdminQueues(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rdb := testRedis(t)
		srv := newServer(t, db, rdb, Opts{})
		clients := map[string]*http.Client{}
		for _, who := range []string{"customer", "staff", "admin"} {
			addr := who + "@example.com"
			if who != "customer" {
				if _, err := db.SetRole(ctx, addr, who); err != nil {
					t.Fatal(err)
				}
			}
			clients[who] = browser(t)
			signIn(t, srv, db, clients[who], addr)
		}
		// One task waiting in each of Dargo's queues, on the web tier's Redis.
		cl := asynq.NewClientFromRedisClient(rdb)
		queues := []string{jobs.QueueCritical, jobs.QueueDefault, jobs.QueueLow}
		for _, q := range queues {
			if _, err := cl.Enqueue(asynq.NewTask("test:queues", nil), asynq.Queue(q), asynq.TaskID("t-"+q)); err != nil {
				t.Fatal(err)
			}
		}
		api := srv.URL + queuesRoot + "/api/queues"

		// Admins only: anonymous to the login form, the others refused.
		for _, u := range []string{srv.URL + queuesRoot, api} {
			res, _ := do(t, browser(t), "GET", u, nil)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
				t.Errorf("anonymous GET %s: %s to %q", u, res.Status, res.Header.Get("Location"))
			}
			for _, who := range []string{"customer", "staff"} {
				if res, body := do(t, clients[who], "GET", u, nil); res.StatusCode != http.StatusForbidden || strings.Contains(body, "t-low") {
					t.Errorf("%s GET %s: %s", who, u, res.Status)
				}
			}
		}
		if _, body := do(t, clients["staff"], "GET", srv.URL+"/account", nil); strings.Contains(body, `href="/admin/queues"`) {
			t.Error("staff see the link to the queues")
		}
		if _, body := do(t, clients["admin"], "GET", srv.URL+"/account", nil); !strings.Contains(body, `href="/admin/queues"`) {
			t.Error("the admin navigation has no link to the queues")
		}

		admin := clients["admin"]
		for _, page := range []string{queuesRoot, queuesRoot + "/", queuesRoot + "/queues/low"} {
			res, body := do(t, admin, "GET", srv.URL+page, nil)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
				!strings.Contains(body, `<div id="root">`) {
				t.Fatalf("admin GET %s: %s %s\n%s", page, res.Status, res.Header.Get("Content-Type"), body)
			}
			checkQueuesCSP(t, res.Header.Get("Content-Security-Policy"), body)
		}
		res, body := do(t, admin, "GET", srv.URL+queuesRoot, nil)
		js := regexp.MustCompile(`<script src="(/admin/queues/static/js/main\.[0-9a-f]+\.chunk\.js)">`).FindStringSubmatch(body)
		if js == nil {
			t.Fatalf("no main script in the page:\n%s", body)
		}
		if res, _ := do(t, admin, "GET", srv.URL+js[1], nil); res.StatusCode != http.StatusOK ||
			!strings.HasPrefix(res.Header.Get("Content-Type"), "application/javascript") {
			t.Errorf("GET %s: %s %s", js[1], res.Status, res.Header.Get("Content-Type"))
		}
		if res.Header.Get("Content-Security-Policy") == csp {
			t.Error("the queues carry the global CSP")
		}

		res, body = do(t, admin, "GET", api, nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET %s: %s %s\n%s", api, res.Status, res.Header.Get("Content-Type"), body)
		}
		var listed struct {
			Queues []struct {
				Queue   string `json:"queue"`
				Pending int    `json:"pending"`
			} `json:"queues"`
		}
		if err := json.Unmarshal([]byte(body), &listed); err != nil {
			t.Fatalf("%v:\n%s", err, body)
		}
		var names []string
		for _, q := range listed.Queues {
			if q.Pending != 1 {
				t.Errorf("queue %s: %d pending, want 1", q.Queue, q.Pending)
			}
			names = append(names, q.Queue)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"critical", "default", "low"}) {
			t.Errorf("queues listed: %v", names)
		}
		checkQueuesCSP(t, res.Header.Get("Content-Security-Policy"), "")

		// Read-only: every change refused before asynqmon sees it.
		for _, req := range []struct{ method, path string }{
			{"DELETE", "/api/queues/low/pending_tasks/t-low"},
			{"DELETE", "/api/queues/low"},
			{"DELETE", "/api/queues/default/pending_tasks:delete_all"},
			{"POST", "/api/queues/critical/pending_tasks:batch_delete"},
			{"POST", "/api/queues/critical/pending_tasks/t-critical:archive"},
			{"POST", "/api/queues/default:pause"},
			{"PUT", ""},
			{"POST", "/"},
		} {
			res, _ := do(t, admin, req.method, srv.URL+queuesRoot+req.path, nil, "Content-Type", "application/json")
			if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("admin %s %s: %s", req.method, req.path, res.Status)
			}
		}
		in := asynq.NewInspectorFromRedisClient(rdb)
		for _, q := range queues {
			info, err := in.GetQueueInfo(q)
			if err != nil {
				t.Fatal(err)
			}
			if info.Pending != 1 || info.Archived != 0 || info.Paused {
				t.Errorf("queue %s changed: %+v", q, info)
			}
			if _, err := in.GetTaskInfo(q, "t-"+q); err != nil {
				t.Errorf("task t-%s: %v", q, err)
			}
		}
	})
}

// checkQueuesCSP checks the queues' policy: its own, with nothing from
// another origin, no inline script but the page's own (by hash), and no framing.
func checkQueuesCSP(t *testing.T, policy, page string) {
	t.Helper()
	if policy == "" || policy == csp {
		t.Fatalf("queues CSP %q: want one of its own", policy)
	}
	for _, bad := range []string{"http:", "https:", "//", "*", "'unsafe-inline'", "'unsafe-eval'"} {
		if strings.Contains(policy, bad) {
			t.Errorf("queues CSP has %s: %s", bad, policy)
		}
	}
	if !strings.Contains(policy, "frame-ancestors 'none'") || !strings.HasPrefix(policy, "default-src 'none';") {
		t.Errorf("queues CSP: %s", policy)
	}
	if page == "" {
		return
	}
	if strings.Contains(page, "googleapis") || strings.Contains(page, "https://") || strings.Contains(page, `rel="manifest"`) {
		t.Errorf("the page loads from another origin:\n%s", page)
	}
	scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(page, -1)
	if len(scripts) != 2 {
		t.Errorf("%d inline scripts in the page, want asynqmon's 2", len(scripts))
	}
	for _, s := range scripts {
		sum := sha256.Sum256([]byte(s[1]))
		if !strings.Contains(policy, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
			t.Errorf("the CSP does not allow the inline script %.60q", s[1])
		}
	}
	nonce := regexp.MustCompile(`<meta property="csp-nonce" content="([A-Z2-7]+)"/>`).FindStringSubmatch(page)
	if nonce == nil || !strings.Contains(policy, "style-src 'self' 'nonce-"+nonce[1]+"'") {
		t.Errorf("the page's style nonce is not the CSP's: %v, %s", nonce, policy)
	}
}
