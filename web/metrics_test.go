package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// metricsHandler is the whole web tier over db, for requests with forged
// peers.
func metricsHandler(t *testing.T, db *store.DB, token string) http.Handler {
	t.Helper()
	h, err := New(Opts{Store: db, Redis: testRedis(t), BaseURL: "https://help.acme.test", Secret: testSecret,
		MetricsToken: token, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// metricsToken opens /metrics in the tests that read it.
const metricsToken = "metrics-test-token"

func getMetrics(h http.Handler, remote string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "/metrics", nil)
	r.RemoteAddr = remote
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMetricsAccess(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	for _, tc := range []struct {
		name, token, remote string
		header              []string
		want                int
	}{
		// Without a token /metrics is not served, not even to loopback:
		// a proxy on the same host makes every request loopback.
		{"no token, loopback v4", "", "127.0.0.1:50123", nil, 404},
		{"no token, loopback v6", "", "[::1]:50123", nil, 404},
		{"no token, elsewhere", "", "203.0.113.9:50123", nil, 404},
		{"no token, a bearer anyway", "", "203.0.113.9:50123", []string{"Authorization", "Bearer "}, 404},
		{"token, loopback without it", "s3cret-metrics", "127.0.0.1:50123", nil, 404},
		{"token, loopback through a same-host proxy", "s3cret-metrics", "127.0.0.1:50123", []string{"X-Forwarded-For", "203.0.113.9"}, 404},
		{"token, loopback with it", "s3cret-metrics", "[::1]:50123", []string{"Authorization", "Bearer s3cret-metrics"}, 200},
		{"token, elsewhere, right bearer", "s3cret-metrics", "203.0.113.9:50123", []string{"Authorization", "Bearer s3cret-metrics"}, 200},
		{"token, elsewhere, through a proxy", "s3cret-metrics", "127.0.0.1:50123",
			[]string{"Authorization", "Bearer s3cret-metrics", "X-Forwarded-For", "203.0.113.9"}, 200},
		{"token, elsewhere, wrong bearer", "s3cret-metrics", "203.0.113.9:50123", []string{"Authorization", "Bearer s3cret-metric"}, 404},
		{"token, elsewhere, empty bearer", "s3cret-metrics", "203.0.113.9:50123", []string{"Authorization", "Bearer "}, 404},
		{"token, elsewhere, basic", "s3cret-metrics", "203.0.113.9:50123", []string{"Authorization", "Basic s3cret-metrics"}, 404},
		{"token, elsewhere, none", "s3cret-metrics", "203.0.113.9:50123", nil, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := getMetrics(metricsHandler(t, db, tc.token), tc.remote, tc.header...)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d", w.Code, tc.want)
			}
			if tc.want == 404 && strings.Contains(w.Body.String(), "dargo_") {
				t.Errorf("a refused request saw metrics: %s", w.Body.String())
			}
		})
	}
}

// sample is one line of Prometheus text: name{labels} value.
var sample = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (\S+)$`)

// parseMetrics parses Prometheus text into "name{labels}" → value, and
// fails on a line that is neither a sample nor a HELP or TYPE comment, or a
// sample without its TYPE before it.
func parseMetrics(t *testing.T, body string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	typed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if f := strings.Fields(line); len(f) >= 4 && f[0] == "#" && (f[1] == "HELP" || f[1] == "TYPE") {
			if f[1] == "TYPE" {
				if f[3] != "counter" && f[3] != "gauge" {
					t.Errorf("type %q", line)
				}
				typed[f[2]] = true
			}
			continue
		}
		m := sample.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("not Prometheus text: %q", line)
			continue
		}
		if !typed[m[1]] {
			t.Errorf("sample before its TYPE: %q", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Errorf("value of %q: %v", line, err)
		}
		out[m[1]+m[2]] = v
	}
	return out
}

func TestMetricsReportSweepsAndOutbox(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := time.Date(2026, 3, 1, 3, 30, 0, 0, time.UTC)
		db.Now = func() time.Time { return at }
		h := metricsHandler(t, db, metricsToken)
		if got := parseMetrics(t, getMetrics(h, "127.0.0.1:1", "Authorization", "Bearer "+metricsToken).Body.String()); len(got) != 4 || got["dargo_outbox_pending"] != 0 || got["dargo_emails_queued"] != 0 {
			t.Errorf("fresh database: %v", got)
		}

		for _, r := range []store.SweepRun{
			{Name: store.SweepRawMail, Removed: 1500, Duration: 3 * time.Second},
			{Name: store.SweepRawMail, Removed: 20, Duration: 1500 * time.Millisecond},
			{Name: store.SweepTokens, Removed: 7, Duration: 2 * time.Millisecond, Failed: true},
		} {
			if err := db.RecordSweepRun(ctx, r); err != nil {
				t.Fatal(err)
			}
			at = at.Add(time.Minute)
		}
		if _, err := db.Deliver(ctx, &store.Delivery{From: store.Person{Email: "ada@customer.test"}, Subject: "Hi", Confirm: true,
			Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: "metrics@customer.test", Text: "hi"}}); err != nil {
			t.Fatal(err)
		}

		w := getMetrics(h, "127.0.0.1:1", "Authorization", "Bearer "+metricsToken)
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
			t.Errorf("Content-Type %q", ct)
		}
		got := parseMetrics(t, w.Body.String())
		start := time.Date(2026, 3, 1, 3, 30, 0, 0, time.UTC)
		for name, want := range map[string]float64{
			`dargo_sweep_removed_total{sweep="raw_mail"}`:              1520,
			`dargo_sweep_removed_total{sweep="tokens"}`:                7,
			`dargo_sweep_runs_total{sweep="raw_mail"}`:                 2,
			`dargo_sweep_failures_total{sweep="tokens"}`:               1,
			`dargo_sweep_failures_total{sweep="raw_mail"}`:             0,
			`dargo_sweep_last_run_timestamp_seconds{sweep="raw_mail"}`: float64(start.Add(time.Minute).Unix()),
			`dargo_sweep_last_duration_seconds{sweep="raw_mail"}`:      1.5,
			`dargo_sweep_last_duration_seconds{sweep="tokens"}`:        0.002,
			`dargo_outbox_pending`:                                     1,
			`dargo_emails_queued`:                                      1,
			`dargo_emails_queued_over_2m`:                              0,
			`dargo_email_queued_oldest_seconds`:                        0,
		} {
			if v, ok := got[name]; !ok || v != want {
				t.Errorf("%s = %v (present %v), want %v", name, v, ok, want)
			}
		}
		if _, ok := got[`dargo_sweep_last_run_timestamp_seconds{sweep="tokens"}`]; ok {
			t.Error("a sweep that never succeeded has a last-run timestamp")
		}
	})
}

// TestMetricsOverTCP: a real connection from loopback gets the metrics
// with the token, and the 404 page without it.
func TestMetricsOverTCP(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	srv := newServer(t, db, testRedis(t), Opts{MetricsToken: metricsToken})
	for _, tc := range []struct {
		auth string
		want int
	}{{"", 404}, {"Bearer " + metricsToken, 200}} {
		req, err := http.NewRequest("GET", srv.URL+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.want || (tc.want == 200) != strings.Contains(string(body), "dargo_outbox_pending 0\n") {
			t.Errorf("authorization %q: status %d: %s", tc.auth, res.StatusCode, body)
		}
	}
}
