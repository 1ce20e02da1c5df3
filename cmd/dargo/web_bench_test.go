package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/store"
)

// benchRedisDB is BenchmarkWeb's Redis database, apart from the tests' ones.
const benchRedisDB = 9

// BenchmarkWeb loads a real `dargo web` process, on PostgreSQL and Redis as
// in production, with C concurrent clients (DARGO_BENCH_CONCURRENCY, 32 by
// default) sharing one keep-alive pool, b.N requests in all. Beyond ns/op it
// reports req/s, the p50 and p99 latency, and the process's resident memory
// (VmRSS, in MiB) at rest and at its peak under load. It needs a real Redis,
// so it skips when DARGO_TEST_REDIS_URL is unset.
func BenchmarkWeb(b *testing.B) {
	if os.Getenv("DARGO_TEST_REDIS_URL") == "" {
		b.Skip("Redis not configured (set DARGO_TEST_REDIS_URL)")
	}
	conc := benchConcurrency(b)
	dbURL := testdb.PostgresURL(b)
	r := testredis.Open(b, benchRedisDB)
	addr := freeAddr(b)
	env := append(baseEnv(dbURL),
		fmt.Sprintf("DARGO_REDIS_URL=redis://%s/%d", r.Addr, r.DB),
		"DARGO_HTTP_ADDR="+addr, "DARGO_BASE_URL=http://"+addr)
	migrate := exec.Command(binary, "migrate")
	migrate.Env = append(os.Environ(), env...)
	if out, err := migrate.CombinedOutput(); err != nil {
		b.Fatalf("dargo migrate: %v\n%s", err, out)
	}
	cookie := benchSession(b, dbURL)
	web := startWeb(b, env)

	client := &http.Client{
		Transport: benchTransport(conc),
		Timeout:   30 * time.Second,
		// A redirect (to /login, when the session is not accepted) must fail
		// the run, not be followed to a page that answers 200.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	login := func() *http.Request { return newGet(web.base + "/login") }
	account := func() *http.Request {
		req := newGet(web.base + "/account")
		req.Header.Set("Cookie", "dargo_session="+cookie)
		return req
	}
	mustContain(b, client, account(), "bench@example.com")
	mustContain(b, client, login(), "Sign in")

	for _, page := range []func() *http.Request{login, account} {
		if _, err := load(client, conc, 100, page); err != nil {
			b.Fatalf("warm-up: %v", err)
		}
	}
	time.Sleep(time.Second)
	rest, err := readRSS(web.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}

	for _, bc := range []struct {
		name string
		req  func() *http.Request
	}{{"login", login}, {"account", account}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			peakc := make(chan rssSample, 1)
			go func() { peakc <- peakRSS(ctx, web.cmd.Process.Pid, 50*time.Millisecond) }()
			b.ResetTimer()
			res, err := load(client, conc, b.N, bc.req)
			b.StopTimer()
			cancel()
			peak := <-peakc
			if err != nil {
				b.Fatal(err)
			}
			if peak.err != nil {
				b.Fatal(peak.err)
			}
			b.ReportMetric(float64(b.N)/res.elapsed.Seconds(), "req/s")
			b.ReportMetric(ms(percentile(res.latencies, 50)), "p50_ms")
			b.ReportMetric(ms(percentile(res.latencies, 99)), "p99_ms")
			b.ReportMetric(mib(peak.max), "rss_peak_MB")
			b.ReportMetric(mib(rest), "rss_rest_MB")
		})
	}
}

func benchConcurrency(b *testing.B) int {
	v := os.Getenv("DARGO_BENCH_CONCURRENCY")
	if v == "" {
		return 32
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("DARGO_BENCH_CONCURRENCY=%q: want a positive number", v)
	}
	return n
}

// freeAddr returns a 127.0.0.1 address with a port that was free just now.
func freeAddr(b testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// benchSession signs bench@example.com in from three browsers, as the
// magic-link flow does, so the account page lists three sessions and three
// logins; it returns the last browser's cookie value.
func benchSession(b *testing.B, dbURL string) string {
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var cookie string
	for i := range 3 {
		_, tokenHash := benchSecret()
		ua := fmt.Sprintf("BenchBrowser/%d", i)
		if err := db.RequestLogin(ctx, store.LoginRequest{TokenHash: tokenHash, Email: "bench@example.com", Next: "/account",
			IP: "127.0.0.1", UserAgent: ua, SealedLink: "sealed", TTL: time.Hour}); err != nil {
			b.Fatal(err)
		}
		var sessionHash string
		cookie, sessionHash = benchSecret()
		if _, err := db.ConfirmLogin(ctx, store.Login{TokenHash: tokenHash, SessionHash: sessionHash,
			IP: "127.0.0.1", UserAgent: ua, Turnstile: "off", SessionTTL: 24 * time.Hour}); err != nil {
			b.Fatal(err)
		}
	}
	return cookie
}

// benchSecret returns a random cookie-shaped secret and its hex SHA-256, the
// form the database keeps.
func benchSecret() (secret, hash string) {
	buf := make([]byte, 32)
	rand.Read(buf) // never fails (crypto/rand)
	secret = base64.RawURLEncoding.EncodeToString(buf)
	sum := sha256.Sum256([]byte(secret))
	return secret, hex.EncodeToString(sum[:])
}

// webProcess is a running `dargo web`.
type webProcess struct {
	cmd  *exec.Cmd
	base string
}

// startWeb starts `dargo web`, waits until /healthz answers, and at cleanup
// interrupts it and expects a clean exit. Its log goes to a file that is
// shown when something fails.
func startWeb(b *testing.B, env []string) *webProcess {
	logPath := filepath.Join(b.TempDir(), "web.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(binary, "web")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); logFile.Close(); close(exited) }()
	showLog := func() {
		out, _ := os.ReadFile(logPath)
		b.Logf("dargo web log:\n%s", out)
	}
	b.Cleanup(func() {
		select {
		case <-exited:
			if !b.Failed() {
				b.Errorf("dargo web stopped before the end: %v", waitErr)
				showLog()
			}
			return
		default:
		}
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
			if waitErr != nil {
				b.Errorf("dargo web after interrupt: %v", waitErr)
				showLog()
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
			b.Error("dargo web did not stop within 30s of an interrupt")
			showLog()
		}
	})

	var base string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "DARGO_BASE_URL="); ok {
			base = v
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return &webProcess{cmd: cmd, base: base}
			}
		}
		select {
		case <-exited:
			showLog()
			b.Fatalf("dargo web exited before it was healthy: %v", waitErr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			showLog()
			b.Fatalf("dargo web not healthy after 30s: %v", err)
		}
	}
}

func newGet(url string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		panic(err) // the URL is built from a valid base
	}
	return req
}

// benchTransport keeps one idle keep-alive connection per client.
func benchTransport(conc int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conc
	t.MaxIdleConnsPerHost = conc
	return t
}

// mustContain fails the benchmark unless req answers 200 with want in the body.
func mustContain(b *testing.B, client *http.Client, req *http.Request, want string) {
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		b.Fatalf("GET %s: %s, body lacks %q:\n%s", req.URL.Path, res.Status, want, body)
	}
}

// loadResult is one load run: every request's latency, sorted, and the wall time.
type loadResult struct {
	latencies []time.Duration
	elapsed   time.Duration
}

// load sends n requests from conc concurrent clients and fails on the first
// answer that is not 200.
func load(client *http.Client, conc, n int, newReq func() *http.Request) (loadResult, error) {
	var (
		next     atomic.Int64
		failed   atomic.Bool
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		once.Do(func() { firstErr = err })
		failed.Store(true)
	}
	perClient := make([][]time.Duration, conc)
	start := time.Now()
	for c := range conc {
		wg.Go(func() {
			for next.Add(1) <= int64(n) && !failed.Load() {
				req := newReq()
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					fail(err)
					return
				}
				_, err = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				d := time.Since(t0)
				if err != nil {
					fail(fmt.Errorf("GET %s: read body: %w", req.URL.Path, err))
					return
				}
				if res.StatusCode != http.StatusOK {
					fail(fmt.Errorf("GET %s: %s, want 200", req.URL.Path, res.Status))
					return
				}
				perClient[c] = append(perClient[c], d)
			}
		})
	}
	wg.Wait()
	res := loadResult{latencies: slices.Concat(perClient...), elapsed: time.Since(start)}
	slices.Sort(res.latencies)
	return res, firstErr
}

// percentile returns the nearest-rank p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }

// rssSample is the highest VmRSS seen, or why it could not be read.
type rssSample struct {
	max int64
	err error
}

// peakRSS reads the process's VmRSS every interval until ctx ends, once
// more at the end, and returns the highest.
func peakRSS(ctx context.Context, pid int, every time.Duration) rssSample {
	var s rssSample
	read := func() {
		n, err := readRSS(pid)
		if err != nil && s.err == nil {
			s.err = err
		}
		s.max = max(s.max, n)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		read()
		select {
		case <-ctx.Done():
			read()
			return s
		case <-tick.C:
		}
	}
}

// readRSS returns the process's resident set size in bytes, from
// /proc/<pid>/status (Linux only).
func readRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read RSS: %q: %w", sc.Text(), err)
			}
			return kb << 10, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read RSS: %w", err)
	}
	return 0, errors.New("read RSS: no VmRSS line in /proc status")
}
