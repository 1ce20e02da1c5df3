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
	MailLag(ctx context.Context) (store.MailLag, error)
}

var _ MetricsStore = (*store.DB)(nil)

// metrics serves Prometheus text to whoever shows the bearer token
// (DARGO_METRICS_TOKEN), loopback included: a proxy on the same host makes
// every request loopback. Without a token /metrics is not served. Anyone
// else gets the ordinary 404 page, as if there were nothing here.
type metrics struct {
	store     MetricsStore
	pages     *pages
	tokenHash [sha256.Size]byte
	log       *slog.Logger
}

// newMetrics returns the /metrics handler; without a token, or without a
// store that can answer it (a test's fake), /metrics is not found.
func newMetrics(o Opts, p *pages) http.Handler {
	s, ok := o.Store.(MetricsStore)
	if !ok || o.MetricsToken == "" {
		return http.HandlerFunc(p.notFound)
	}
	return &metrics{store: s, pages: p, log: o.Logger, tokenHash: sha256.Sum256([]byte(o.MetricsToken))}
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
	lag, err := m.store.MailLag(ctx)
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
	gauge := func(name, help string, v float64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, number(v))
	}
	gauge("dargo_outbox_pending", "Outbox rows not yet handed to the queue.", float64(pending))
	gauge("dargo_emails_queued", "Mails due and not yet sent (queued), wherever they wait: outbox, Redis or a retry.", float64(lag.Queued))
	gauge("dargo_emails_queued_over_2m", "Queued mails due for more than two minutes.", float64(lag.QueuedOver2Min))
	gauge("dargo_email_queued_oldest_seconds", "How long the oldest queued mail has been due (0 when none).", lag.QueuedAge.Seconds())
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

// allowed admits the right bearer token, compared in constant time, as
// hashes so that not even its length leaks.
func (m *metrics) allowed(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	sum := sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(sum[:], m.tokenHash[:]) == 1
}

// labelValue escapes a Prometheus label value.
func labelValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
