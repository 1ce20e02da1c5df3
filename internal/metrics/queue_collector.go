package metrics

import (
	"log/slog"
	"slices"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

var (
	queueTasks   = desc("dargo_queue_tasks", "gauge", "Tasks in an asynq queue, by queue and state: pending, active, scheduled, retry, archived.", "queue", "state")
	queueLatency = desc("dargo_queue_latency_seconds", "gauge", "Age of the oldest pending task of an asynq queue (0 when none).", "queue")
	queuePaused  = desc("dargo_queue_paused", "gauge", "1 when an asynq queue is paused.", "queue")
	queueErr     = desc("dargo_queue_scrape_error", "gauge", "1 when the last scrape could not read the asynq queues from Redis, else 0.")
)

// queueCollector reads asynq's queues through its Inspector at scrape time.
type queueCollector struct {
	insp   *asynq.Inspector
	queues []string
	log    *slog.Logger
}

// NewQueueCollector returns the collector of the asynq queue families for
// the named queues, read with insp (asynq.NewInspectorFromRedisClient on
// the process's own Redis client). A queue Redis does not know yet is
// reported empty.
func NewQueueCollector(insp *asynq.Inspector, queues []string, log *slog.Logger) prometheus.Collector {
	return &queueCollector{insp: insp, queues: queues, log: log}
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueTasks
	ch <- queueLatency
	ch <- queuePaused
	ch <- queueErr
}

// Collect reads the queues within scrapeBudget. asynq's Inspector takes
// no context: a read still running at the deadline finishes on its own,
// and what it finds is dropped.
func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	done := make(chan []prometheus.Metric, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				c.log.Error("metrics: asynq queues", "panic", r)
				done <- []prometheus.Metric{prometheus.MustNewConstMetric(queueErr, prometheus.GaugeValue, 1)}
			}
		}()
		done <- c.read()
	}()
	select {
	case ms := <-done:
		for _, m := range ms {
			ch <- m
		}
	case <-time.After(scrapeBudget):
		c.log.Error("metrics: asynq queues", "err", "no answer from Redis within "+scrapeBudget.String())
		ch <- prometheus.MustNewConstMetric(queueErr, prometheus.GaugeValue, 1)
	}
}

// read returns every queue's samples and the error gauge.
func (c *queueCollector) read() []prometheus.Metric {
	var out []prometheus.Metric
	failed := 0.0
	known, err := c.insp.Queues()
	if err != nil {
		c.log.Error("metrics: asynq queues", "err", err)
		return []prometheus.Metric{prometheus.MustNewConstMetric(queueErr, prometheus.GaugeValue, 1)}
	}
	for _, q := range c.queues {
		info := &asynq.QueueInfo{Queue: q}
		if slices.Contains(known, q) {
			var err error
			if info, err = c.insp.GetQueueInfo(q); err != nil {
				c.log.Error("metrics: asynq queue", "queue", q, "err", err)
				failed = 1
				continue
			}
		}
		for state, n := range map[string]int{"pending": info.Pending, "active": info.Active,
			"scheduled": info.Scheduled, "retry": info.Retry, "archived": info.Archived} {
			out = append(out, prometheus.MustNewConstMetric(queueTasks, prometheus.GaugeValue, float64(n), q, state))
		}
		paused := 0.0
		if info.Paused {
			paused = 1
		}
		out = append(out,
			prometheus.MustNewConstMetric(queueLatency, prometheus.GaugeValue, info.Latency.Seconds(), q),
			prometheus.MustNewConstMetric(queuePaused, prometheus.GaugeValue, paused, q))
	}
	return append(out, prometheus.MustNewConstMetric(queueErr, prometheus.GaugeValue, failed))
}
