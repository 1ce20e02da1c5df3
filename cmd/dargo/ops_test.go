package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/metrics"
)

func TestReadyzReportsEachDependency(t *testing.T) {
	r := newReadiness("database", "redis")
	get := func() (int, map[string]any) {
		rec := httptest.NewRecorder()
		r.serveReady(rec, httptest.NewRequest("GET", "/readyz", nil))
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("readyz body %q: %v", rec.Body.String(), err)
		}
		return rec.Code, body
	}
	if code, body := get(); code != 503 || body["database"] != "starting" || body["redis"] != "starting" {
		t.Errorf("before connecting: %d %v", code, body)
	}
	r.dep("database").connected(func(context.Context) error { return nil })
	redisErr := errors.New("EOF")
	r.dep("redis").connected(func(context.Context) error { return redisErr })
	r.addInfo("mail_lag", func(context.Context) (any, error) { return mailLagReport{Queued: 3}, nil })
	if code, body := get(); code != 503 || body["database"] != "ok" || body["redis"] != "unavailable" {
		t.Errorf("redis down: %d %v", code, body)
	}
	redisErr = nil
	code, body := get()
	if code != 200 || body["database"] != "ok" || body["redis"] != "ok" {
		t.Errorf("all up: %d %v", code, body)
	}
	if lag, _ := body["mail_lag"].(map[string]any); lag["queued"] != 3.0 {
		t.Errorf("mail_lag: %v", body["mail_lag"])
	}
	// Information that fails does not make the process unready.
	r.addInfo("mail_lag", func(context.Context) (any, error) { return nil, errors.New("timeout") })
	if code, body := get(); code != 200 || body["mail_lag"] != "unavailable" {
		t.Errorf("mail lag failing: %d %v", code, body)
	}
}

func TestOpsListener(t *testing.T) {
	env := &Env{Config: &Config{OpsAddr: "127.0.0.1:0"}, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	o, err := newOps(env, "worker", newReadiness("database"), metrics.NewRegistry(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	res, err := http.Get("http://" + o.l.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "ok\n" {
		t.Errorf("healthz: %s %q", res.Status, body)
	}
	// The goroutine count and memory statistics a soak watches.
	res, err = http.Get("http://" + o.l.Addr().String() + "/debug/vars")
	if err != nil {
		t.Fatal(err)
	}
	var vars struct {
		Goroutines int            `json:"goroutines"`
		MemStats   map[string]any `json:"memstats"`
	}
	err = json.NewDecoder(res.Body).Decode(&vars)
	res.Body.Close()
	if err != nil || vars.Goroutines < 1 || vars.MemStats["HeapAlloc"] == nil {
		t.Errorf("debug/vars: %v, %d goroutines, memstats %d fields", err, vars.Goroutines, len(vars.MemStats))
	}

	// The port taken: a clear error naming the setting.
	env.Config.OpsAddr = o.l.Addr().String()
	if _, err := newOps(env, "worker", newReadiness(), metrics.NewRegistry(nil)); err == nil || !strings.Contains(err.Error(), "DARGO_OPS_ADDR") {
		t.Errorf("bind on a taken port: %v", err)
	}
	env.Config.OpsAddr = "off"
	if o, err := newOps(env, "worker", newReadiness(), metrics.NewRegistry(nil)); o != nil || err != nil {
		t.Errorf("off: %v %v", o, err)
	}
	if err := (*opsServer)(nil).Close(); err != nil {
		t.Error(err)
	}
}

func TestOpsDefaultsAreDistinctLoopbackPorts(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range []string{"web", "inbound", "worker", "scheduler"} {
		addr := opsDefaults[p]
		host, _, err := net.SplitHostPort(addr)
		if err != nil || host != "127.0.0.1" || seen[addr] {
			t.Errorf("%s: %q", p, addr)
		}
		seen[addr] = true
	}
}

// TestOpsGuard: who may read /metrics and /debug/pprof on the ops
// listener, by peer and token.
func TestOpsGuard(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	for _, tc := range []struct {
		name, token, remote, auth string
		private                   bool
		want                      int
	}{
		{"metrics, no token, elsewhere", "", "10.0.0.9:5000", "", false, 200},
		{"metrics, token, elsewhere without it", "s3cret", "10.0.0.9:5000", "", false, 401},
		{"metrics, token, elsewhere with a wrong one", "s3cret", "10.0.0.9:5000", "Bearer s3cre", false, 401},
		{"metrics, token, elsewhere with it", "s3cret", "10.0.0.9:5000", "Bearer s3cret", false, 200},
		{"metrics, token, loopback without it", "s3cret", "127.0.0.1:5000", "", false, 401},
		{"metrics, token, loopback with it", "s3cret", "127.0.0.1:5000", "Bearer s3cret", false, 200},
		{"pprof, token, loopback without it (a sidecar)", "s3cret", "127.0.0.1:5000", "", true, 401},
		{"pprof, no token, loopback v6", "", "[::1]:5000", "", true, 200},
		{"pprof, no token, elsewhere", "", "10.0.0.9:5000", "", true, 401},
		{"pprof, no token, elsewhere with an empty bearer", "", "10.0.0.9:5000", "Bearer ", true, 401},
		{"pprof, token, elsewhere with it", "s3cret", "192.0.2.1:5000", "Bearer s3cret", true, 200},
		{"pprof, garbage peer", "", "nonsense", "", true, 401},
	} {
		g := opsGuard{token: tc.token}
		h := g.metrics(ok)
		if tc.private {
			h = g.private(ok)
		}
		r := httptest.NewRequest("GET", "/metrics", nil)
		r.RemoteAddr = tc.remote
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, w.Code, tc.want)
		}
	}
}
