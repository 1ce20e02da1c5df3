package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/internal/testredis"
)

// outage is a TCP proxy on a port of its own that refuses connections
// (nothing listens) until forward is called, then forwards them to the
// real service, until cut: a dependency that is down, comes back and goes
// away again.
type outage struct {
	t      *testing.T
	addr   string
	target string
	wg     sync.WaitGroup
	mu     sync.Mutex
	l      net.Listener      // nil while down
	conns  map[net.Conn]bool // open connections, to cut
}

func newOutage(t *testing.T, target string) *outage {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &outage{t: t, addr: l.Addr().String(), target: target, conns: map[net.Conn]bool{}}
	l.Close()
	t.Cleanup(func() { o.cut(); o.wg.Wait() })
	return o
}

// forward brings the service back on the proxy's port.
func (o *outage) forward() {
	o.t.Helper()
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		o.t.Fatalf("listen again on %s: %v", o.addr, err)
	}
	o.mu.Lock()
	o.l = l
	o.mu.Unlock()
	o.wg.Add(1)
	go o.serve(l)
}

// cut takes the service down again: the port refuses, open connections
// are closed.
func (o *outage) cut() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.l != nil {
		o.l.Close()
		o.l = nil
	}
	for c := range o.conns {
		c.Close()
	}
}

func (o *outage) track(c net.Conn, open bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if open {
		o.conns[c] = true
	} else {
		delete(o.conns, c)
	}
}

func (o *outage) serve(l net.Listener) {
	defer o.wg.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		o.track(c, true)
		o.wg.Add(1)
		go func() {
			defer o.wg.Done()
			defer o.track(c, false)
			defer c.Close()
			s, err := net.Dial("tcp", o.target)
			if err != nil {
				return
			}
			defer s.Close()
			done := make(chan struct{}, 2)
			go func() { io.Copy(s, c); done <- struct{}{} }()
			go func() { io.Copy(c, s); done <- struct{}{} }()
			<-done // one side closed: close both, which ends the other copy
			s.Close()
			c.Close()
			<-done
		}()
	}
}

// watched is a running dargo process whose stderr (its log) the test reads.
type watched struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	lines  []string
	seen   chan struct{} // ticks when a line arrives
	exited chan struct{}
	err    error
}

func startWatched(t *testing.T, env []string, args ...string) *watched {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(cmd.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &watched{cmd: cmd, seen: make(chan struct{}, 1), exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			w.mu.Lock()
			w.lines = append(w.lines, sc.Text())
			w.mu.Unlock()
			select {
			case w.seen <- struct{}{}:
			default:
			}
		}
		w.err = cmd.Wait()
		close(w.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-w.exited:
		default:
			cmd.Process.Kill()
			<-w.exited
		}
		if t.Failed() {
			t.Logf("dargo %s stderr:\n%s", args[0], strings.Join(w.log(), "\n"))
		}
	})
	return w
}

func (w *watched) log() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.lines...)
}

// waitLog waits for a JSON log line with message msg and returns its
// fields; it fails the test if the process exits first.
func (w *watched) waitLog(t *testing.T, msg string) map[string]any {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		for _, line := range w.log() {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == msg {
				return m
			}
		}
		select {
		case <-w.seen:
		case <-w.exited:
			t.Fatalf("dargo exited (%v) before logging %q", w.err, msg)
		case <-deadline:
			t.Fatalf("no %q in the log", msg)
		}
	}
}

// waitLogFrom waits for a log line with component set to c.
func (w *watched) waitLogFrom(t *testing.T, c string) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		for _, line := range w.log() {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["component"] == c {
				return
			}
		}
		select {
		case <-w.seen:
		case <-w.exited:
			t.Fatalf("dargo exited (%v) before logging as %s", w.err, c)
		case <-deadline:
			t.Fatalf("nothing logged as %s", c)
		}
	}
}

// running fails the test if the process has exited.
func (w *watched) running(t *testing.T) {
	t.Helper()
	select {
	case <-w.exited:
		t.Fatalf("dargo exited: %v", w.err)
	default:
	}
}

// stop sends SIGTERM and expects exit code 0, and every line of the log
// to be JSON.
func (w *watched) stop(t *testing.T) {
	t.Helper()
	w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.exited:
	case <-time.After(60 * time.Second):
		t.Fatal("no exit within 60 s of SIGTERM")
	}
	if w.err != nil {
		t.Errorf("exit after SIGTERM: %v", w.err)
	}
	for _, line := range w.log() {
		if !json.Valid([]byte(line)) {
			t.Errorf("a log line that is not JSON: %s", line)
		}
	}
}

// readyz gets /readyz at base and returns its status and report.
func readyz(t *testing.T, base string) (int, map[string]any) {
	t.Helper()
	res, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var report map[string]any
	if err := json.NewDecoder(res.Body).Decode(&report); err != nil {
		t.Fatalf("readyz: %s, body not JSON: %v", res.Status, err)
	}
	return res.StatusCode, report
}

// waitReady polls /readyz until ok holds for its report.
func waitReady(t *testing.T, base string, ok func(code int, report map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, report := readyz(t, base)
		if ok(code, report) {
			return report
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz stayed %d %v", code, report)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// outageEnv migrates a fresh PostgreSQL schema, then returns the
// environment of a process that reaches it and Redis only through
// proxies that are down until forward is called.
func outageEnv(t *testing.T) (env []string, db, rdb *outage) {
	t.Helper()
	pgURL := testdb.PostgresURL(t)
	if _, errOut, code := dargo(t, baseEnv(pgURL), nil, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	db = newOutage(t, u.Host)
	u.Host = db.addr
	r := testredis.Open(t, redisDB)
	rdb = newOutage(t, r.Addr)
	env = append(baseEnv(u.String()), "DARGO_LOG_LEVEL=info",
		fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", rdb.addr, r.DB),
		"DARGO_FROM=Help Desk <support@help.example.com>", "DARGO_MAILER=outbox")
	return env, db, rdb
}

// TestWorkerWaitsForItsDependencies starts `dargo worker` while PostgreSQL
// and Redis are unreachable: it stays up, says so on /readyz, becomes
// ready when they come back, and stops cleanly with a JSON-only log.
func TestWorkerWaitsForItsDependencies(t *testing.T) {
	env, db, rdb := outageEnv(t)
	w := startWatched(t, env, "worker")
	ops := "http://" + w.waitLog(t, "ops listening")["addr"].(string)

	warning := w.waitLog(t, "waiting for database")
	if warning["level"] != "WARN" || warning["dependency"] != "database" || warning["attempt"] != 1.0 || warning["retry_in"] != "1s" || warning["err"] == "" {
		t.Errorf("first warning: %v", warning)
	}
	if code, report := readyz(t, ops); code != 503 || report["database"] != "starting" || report["redis"] != "starting" {
		t.Errorf("readyz with both down: %d %v", code, report)
	}
	if res, err := http.Get(ops + "/healthz"); err != nil || res.StatusCode != 200 {
		t.Errorf("healthz while waiting: %v %v", res, err)
	}
	w.running(t)

	db.forward()
	w.waitLog(t, "waiting for redis")
	if code, report := readyz(t, ops); code != 503 || report["database"] != "ok" || report["redis"] != "starting" {
		t.Errorf("readyz with Redis down: %d %v", code, report)
	}
	w.running(t)

	rdb.forward()
	w.waitLog(t, "worker started")
	report := waitReady(t, ops, func(code int, r map[string]any) bool { return code == 200 })
	if report["database"] != "ok" || report["redis"] != "ok" {
		t.Errorf("ready: %v", report)
	}
	lag, _ := report["mail_lag"].(map[string]any)
	for _, key := range []string{"queued", "oldest_queued_seconds", "queued_over_2m", "unrelayed"} {
		if _, ok := lag[key]; !ok {
			t.Errorf("mail_lag lacks %s: %v", key, report["mail_lag"])
		}
	}

	// Redis goes away under the running worker: go-redis and asynq complain,
	// in JSON, and readiness follows.
	rdb.cut()
	waitReady(t, ops, func(code int, r map[string]any) bool { return code == 503 && r["redis"] == "unavailable" })
	w.waitLogFrom(t, "redis")
	rdb.forward()
	waitReady(t, ops, func(code int, r map[string]any) bool { return code == 200 })
	w.stop(t)
}

// TestWebWaitsForItsDependencies: `dargo web` answers at once, 503 until
// the database and Redis are back, then serves its pages.
func TestWebWaitsForItsDependencies(t *testing.T) {
	env, db, rdb := outageEnv(t)
	env = append(env, "DARGO_HTTP_ADDR=127.0.0.1:0")
	w := startWatched(t, env, "web")
	ops := "http://" + w.waitLog(t, "ops listening")["addr"].(string)
	public := "http://" + w.waitLog(t, "web listening")["addr"].(string)
	w.waitLog(t, "waiting for database")

	if code, report := readyz(t, ops); code != 503 || report["database"] != "starting" {
		t.Errorf("ops /readyz while waiting: %d %v", code, report)
	}
	res, err := http.Get(public + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 503 || res.Header.Get("Retry-After") == "" || string(body) != "starting, try again\n" {
		t.Errorf("a page while waiting: %s, Retry-After %q, %q", res.Status, res.Header.Get("Retry-After"), body)
	}
	// Liveness: a web process waiting for its database is alive.
	if res, err := http.Get(ops + "/healthz"); err != nil || res.StatusCode != 200 {
		t.Errorf("healthz while waiting: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	db.forward()
	rdb.forward()
	w.waitLog(t, "web ready")
	waitReady(t, ops, func(code int, r map[string]any) bool {
		return code == 200 && r["database"] == "ok" && r["redis"] == "ok"
	})
	res, err = http.Get(public + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("GET /login once ready: %s", res.Status)
	}
	// The public port serves no ops endpoints, ready or not.
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if res, err := http.Get(public + path); err != nil || res.StatusCode != 404 {
			t.Errorf("public %s: %v %v", path, res, err)
		} else {
			res.Body.Close()
		}
	}
	w.stop(t)
}

// TestStopWhileWaiting: SIGTERM while a process waits for Redis is a
// clean exit.
func TestStopWhileWaiting(t *testing.T) {
	env, _, _ := outageEnv(t)
	w := startWatched(t, env, "scheduler")
	w.waitLog(t, "waiting for redis")
	w.stop(t)
	w.waitLog(t, "stopped while waiting for redis")
}
