// Package metrics holds every Prometheus family Dargo exports, in one
// place, so that the README table, the dashboard and the alerts can be
// checked against them.
//
// The families that count events (requests, mails, tasks) are package
// variables, as client_golang intends: the code that sees an event adds
// to them, and every registry built by NewRegistry shares them, so that
// `dargo dev`, which runs every process in one, shows them all. The
// families read from the database and from Redis at scrape time are
// collectors (NewStoreCollector, NewQueueCollector) that one process per
// deployment registers: the worker.
//
// No label takes an unbounded value: routes are the mux's patterns, mail
// kinds, task types, queues and actions are Dargo's own constants.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Def describes one family: what the README's metrics table lists.
type Def struct {
	Name   string
	Type   string // counter, gauge, histogram
	Labels []string
	Help   string
}

// Defs lists every dargo_* family, in the README's order.
var Defs []Def

func define(name, typ, help string, labels ...string) (prometheus.Opts, []string) {
	Defs = append(Defs, Def{Name: name, Type: typ, Labels: labels, Help: help})
	return prometheus.Opts{Name: name, Help: help}, labels
}

func counter(name, help string, labels ...string) *prometheus.CounterVec {
	o, l := define(name, "counter", help, labels...)
	return prometheus.NewCounterVec(prometheus.CounterOpts(o), l)
}

func gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	o, l := define(name, "gauge", help, labels...)
	return prometheus.NewGaugeVec(prometheus.GaugeOpts(o), l)
}

func histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	o, l := define(name, "histogram", help, labels...)
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: o.Name, Help: o.Help, Buckets: buckets}, l)
}

func gauge1(name, help string) prometheus.Gauge {
	o, _ := define(name, "gauge", help)
	return prometheus.NewGauge(prometheus.GaugeOpts(o))
}

func histogram1(name, help string, buckets []float64) prometheus.Histogram {
	o, _ := define(name, "histogram", help)
	return prometheus.NewHistogram(prometheus.HistogramOpts{Name: o.Name, Help: o.Help, Buckets: buckets})
}

// Groups of families by the process that records them; NewRegistry takes
// the groups a process needs.
var (
	// Web is the web tier's: requests and sign-in.
	Web []prometheus.Collector
	// Inbound is the SQS consumer's (and dargo ingest's).
	Inbound []prometheus.Collector
	// Worker is the asynq worker's: mail out and tasks.
	Worker []prometheus.Collector
)

// NewRegistry returns a registry with the Go runtime, process and build
// families, the given groups and the extra collectors.
func NewRegistry(groups [][]prometheus.Collector, extra ...prometheus.Collector) *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo(),
	)
	for _, g := range groups {
		r.MustRegister(g...)
	}
	r.MustRegister(extra...)
	return r
}
