package metrics_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestStoreCollectorReportsSweepsAndOutbox(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := time.Date(2026, 3, 1, 3, 30, 0, 0, time.UTC)
		at := start
		db.Now = func() time.Time { return at }
		c := metrics.NewStoreCollector(db, quiet)
		fresh := `
# HELP dargo_emails_queued Mails due and not yet sent (queued), wherever they wait: outbox, Redis or a retry.
# TYPE dargo_emails_queued gauge
dargo_emails_queued 0
# HELP dargo_outbox_pending Outbox rows not yet handed to the queue.
# TYPE dargo_outbox_pending gauge
dargo_outbox_pending 0
# HELP dargo_store_scrape_error 1 when the last scrape could not read the database-derived families, else 0.
# TYPE dargo_store_scrape_error gauge
dargo_store_scrape_error 0
`
		if err := testutil.CollectAndCompare(c, strings.NewReader(fresh), "dargo_emails_queued", "dargo_outbox_pending", "dargo_store_scrape_error"); err != nil {
			t.Errorf("fresh database: %v", err)
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
		if _, err := db.RecordInbound(ctx, &store.Incoming{From: store.Person{Email: "ada@customer.test"}, Subject: "Hi", Confirm: true,
			Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: "metrics@customer.test", Text: "hi"}}); err != nil {
			t.Fatal(err)
		}
		got := gather(t, c)
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
			`dargo_store_scrape_error`:                                 0,
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

// failingStats is a database that does not answer.
type failingStats struct{}

func (failingStats) SweepStats(context.Context) ([]store.SweepStat, error) {
	return nil, errors.New("connection refused")
}
func (failingStats) OutboxUnrelayedCount(context.Context) (int64, error) { return 0, nil }
func (failingStats) MailLag(context.Context) (store.MailLag, error)      { return store.MailLag{}, nil }

// TestStoreCollectorDatabaseDown: a scrape while the database is down
// still answers, with the error gauge at 1 and no stale numbers.
func TestStoreCollectorDatabaseDown(t *testing.T) {
	got := gather(t, metrics.NewStoreCollector(failingStats{}, quiet))
	if len(got) != 1 || got["dargo_store_scrape_error"] != 1 {
		t.Errorf("database down: %v", got)
	}
}

// gather collects c into a fresh registry and returns each sample by its
// name and labels, as the exposition writes them.
func gather(t *testing.T, cs ...prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(cs...)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			name := f.GetName()
			if len(m.GetLabel()) > 0 {
				var labels []string
				for _, l := range m.GetLabel() {
					labels = append(labels, l.GetName()+`="`+l.GetValue()+`"`)
				}
				name += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.Gauge != nil:
				out[name] = m.GetGauge().GetValue()
			case m.Counter != nil:
				out[name] = m.GetCounter().GetValue()
			case m.Histogram != nil:
				out[name+"_count"] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}
