package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dargo-support/dargo/store"
)

// StoreStats is what the database-derived families read; *store.DB is one.
type StoreStats interface {
	SweepStats(ctx context.Context) ([]store.SweepStat, error)
	OutboxUnrelayedCount(ctx context.Context) (int64, error)
	MailLag(ctx context.Context) (store.MailLag, error)
}

var _ StoreStats = (*store.DB)(nil)

// scrapeBudget bounds the database reads of one scrape, and the Redis
// reads of another.
const scrapeBudget = 5 * time.Second

func desc(name, typ, help string, labels ...string) *prometheus.Desc {
	define(name, typ, help, labels...)
	return prometheus.NewDesc(name, help, labels, nil)
}

var (
	sweepRemoved  = desc("dargo_sweep_removed_total", "counter", "Rows a sweep removed or cleared, over all its runs.", "sweep")
	sweepRuns     = desc("dargo_sweep_runs_total", "counter", "Runs of a sweep.", "sweep")
	sweepFailures = desc("dargo_sweep_failures_total", "counter", "Runs of a sweep that stopped on an error.", "sweep")
	sweepLastOK   = desc("dargo_sweep_last_run_timestamp_seconds", "gauge", "When a sweep last finished without error (Unix time): the last successful run, not the last run.", "sweep")
	sweepLastTook = desc("dargo_sweep_last_duration_seconds", "gauge", "How long the last run of a sweep took.", "sweep")

	outboxPending  = desc("dargo_outbox_pending", "gauge", "Outbox rows not yet handed to the queue.")
	outboxOldest   = desc("dargo_outbox_oldest_seconds", "gauge", "How long the oldest due outbox row has waited for the relay (0 when none).")
	emailsQueued   = desc("dargo_emails_queued", "gauge", "Mails due and not yet sent (queued), wherever they wait: outbox, Redis or a retry.")
	emailsOver2m   = desc("dargo_emails_queued_over_2m", "gauge", "Queued mails due for more than two minutes.")
	emailsOldest   = desc("dargo_email_queued_oldest_seconds", "gauge", "How long the oldest queued mail has been due (0 when none).")
	storeScrapeErr = desc("dargo_store_scrape_error", "gauge", "1 when the last scrape could not read the database-derived families, else 0.")
)

// storeCollector reads the database-derived families at scrape time.
type storeCollector struct {
	s   StoreStats
	log *slog.Logger
}

// NewStoreCollector returns the collector of the families read from the
// database: sweeps, the outbox and queued-mail lag.
func NewStoreCollector(s StoreStats, log *slog.Logger) prometheus.Collector {
	return &storeCollector{s: s, log: log}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{sweepRemoved, sweepRuns, sweepFailures, sweepLastOK, sweepLastTook,
		outboxPending, outboxOldest, emailsQueued, emailsOver2m, emailsOldest, storeScrapeErr} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeBudget)
	defer cancel()
	failed := 0.0
	if err := c.collect(ctx, ch); err != nil {
		c.log.Error("metrics: database-derived families", "err", err)
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(storeScrapeErr, prometheus.GaugeValue, failed)
}

func (c *storeCollector) collect(ctx context.Context, ch chan<- prometheus.Metric) error {
	sweeps, err := c.s.SweepStats(ctx)
	if err != nil {
		return err
	}
	pending, err := c.s.OutboxUnrelayedCount(ctx)
	if err != nil {
		return err
	}
	lag, err := c.s.MailLag(ctx)
	if err != nil {
		return err
	}
	for _, s := range sweeps {
		ch <- prometheus.MustNewConstMetric(sweepRemoved, prometheus.CounterValue, float64(s.Removed), s.Name)
		ch <- prometheus.MustNewConstMetric(sweepRuns, prometheus.CounterValue, float64(s.Runs), s.Name)
		ch <- prometheus.MustNewConstMetric(sweepFailures, prometheus.CounterValue, float64(s.Failures), s.Name)
		if s.LastOKAt != nil {
			ch <- prometheus.MustNewConstMetric(sweepLastOK, prometheus.GaugeValue, float64(s.LastOKAt.UnixMilli())/1000, s.Name)
		}
		ch <- prometheus.MustNewConstMetric(sweepLastTook, prometheus.GaugeValue, s.LastSeconds, s.Name)
	}
	ch <- prometheus.MustNewConstMetric(outboxPending, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(outboxOldest, prometheus.GaugeValue, lag.UnrelayedAge.Seconds())
	ch <- prometheus.MustNewConstMetric(emailsQueued, prometheus.GaugeValue, float64(lag.Queued))
	ch <- prometheus.MustNewConstMetric(emailsOver2m, prometheus.GaugeValue, float64(lag.QueuedOver2Min))
	ch <- prometheus.MustNewConstMetric(emailsOldest, prometheus.GaugeValue, lag.QueuedAge.Seconds())
	return nil
}
