package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

// MetricsStore is what /metrics reads; *store.DB is one.
type MetricsStore interface {
	SweepStats(ctx context.Context) ([]store.SweepStat, error)
	OutboxPending(ctx context.Context) (int64, error)
}

var _ MetricsStore = (*store.DB)(nil)

// metrics serves Prometheus text to loopback, or to whoever shows the
// bearer token. Anyone else gets the ordinary 404 page, as if there were
// nothing here.
type metrics struct {
	store     MetricsStore
	pages     *pages
	tokenHash *[sha256.Size]byte // nil: no token, loopback only
	log       *slog.Logger
}

// newMetrics returns the /metrics handler; without a store that can answer
// it (a test's fake), /metrics is not found.
func newMetrics(o Opts, p *pages) http.Handler {
	s, ok := o.Store.(MetricsStore)
	if !ok {
		return http.HandlerFunc(p.notFound)
	}
	m := &metrics{store: s, pages: p, log: o.Logger}
	if o.MetricsToken != "" {
		sum := sha256.Sum256([]byte(o.MetricsToken))
		m.tokenHash = &sum
	}
	return m
}

func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !m.allowed(r) {
		m.pages.notFound(w, r)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	sweeps, err := m.store.SweepStats(ctx)
	if err != nil {
		m.log.ErrorContext(ctx, "metrics", "err", err)
		http.Error(w, "metrics unavailable", http.StatusServiceUnavailable)
		return
	}
	pending, err := m.store.OutboxPending(ctx)
	if err != nil {
		m.log.ErrorContext(ctx, "metrics", "err", err)
		http.Error(w, "metrics unavailable", http.StatusServiceUnavailable)
		return
	}
	var b bytes.Buffer
	family := func(name, typ, help string, value func(s store.SweepStat) (float64, bool)) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
		for _, s := range sweeps {
			if v, ok := value(s); ok {
				fmt.Fprintf(&b, "%s{sweep=\"%s\"} %s\n", name, labelValue(s.Name), number(v))
			}
		}
	}
	family("dargo_sweep_removed_total", "counter", "Rows a sweep removed or cleared, over all its runs.",
		func(s store.SweepStat) (float64, bool) { return float64(s.Removed), true })
	family("dargo_sweep_runs_total", "counter", "Runs of a sweep.",
		func(s store.SweepStat) (float64, bool) { return float64(s.Runs), true })
	family("dargo_sweep_failures_total", "counter", "Runs of a sweep that stopped on an error.",
		func(s store.SweepStat) (float64, bool) { return float64(s.Failures), true })
	family("dargo_sweep_last_run_timestamp_seconds", "gauge", "When a sweep last finished without error (Unix time).",
		func(s store.SweepStat) (float64, bool) {
			if s.LastOKAt == nil {
				return 0, false
			}
			return float64(s.LastOKAt.UnixMilli()) / 1000, true
		})
	family("dargo_sweep_last_duration_seconds", "gauge", "How long the last run of a sweep took.",
		func(s store.SweepStat) (float64, bool) { return s.LastSeconds, true })
	fmt.Fprintf(&b, "# HELP dargo_outbox_pending Outbox rows not yet handed to the queue.\n# TYPE dargo_outbox_pending gauge\ndargo_outbox_pending %d\n", pending)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

// allowed admits the right bearer token (compared in constant time, as
// hashes so that not even its length leaks), or a request straight from
// loopback: the TCP peer is loopback and no proxy header says it speaks for
// someone else.
func (m *metrics) allowed(r *http.Request) bool {
	if m.tokenHash != nil {
		if got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			sum := sha256.Sum256([]byte(got))
			if subtle.ConstantTimeCompare(sum[:], m.tokenHash[:]) == 1 {
				return true
			}
		}
	}
	peer := peerAddr(r.RemoteAddr)
	if !peer.IsValid() || !peer.IsLoopback() {
		return false
	}
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip", "Cf-Connecting-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	return true
}

// labelValue escapes a Prometheus label value.
func labelValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
