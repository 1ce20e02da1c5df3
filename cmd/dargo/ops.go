package main

import (
	"context"
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// opsDefaults are the ops addresses when DARGO_OPS_ADDR is unset: each
// process its own port on 127.0.0.1, so that they can share a host.
var opsDefaults = map[string]string{
	"dev":       "127.0.0.1:9090",
	"web":       "127.0.0.1:9091",
	"inbound":   "127.0.0.1:9092",
	"worker":    "127.0.0.1:9093",
	"scheduler": "127.0.0.1:9094",
}

// readyBudget is how long /readyz waits for a dependency to answer.
const readyBudget = 2 * time.Second

// dependency is something a process needs (its database, Redis): it is
// "starting" until the process first connects, then its ping says "ok" or
// "unavailable".
type dependency struct {
	name string
	ping atomic.Pointer[func(context.Context) error]
}

// connected records that the process is connected and how to check it.
// It is a no-op on nil, for commands that report no readiness.
func (d *dependency) connected(ping func(context.Context) error) {
	if d != nil {
		d.ping.Store(&ping)
	}
}

func (d *dependency) status(ctx context.Context) string {
	ping := d.ping.Load()
	switch {
	case ping == nil:
		return "starting"
	case (*ping)(ctx) != nil:
		return "unavailable"
	}
	return "ok"
}

// readiness is what /readyz reports: each dependency's status, and
// informational values that do not make the process unready.
type readiness struct {
	deps []*dependency
	mu   sync.Mutex
	info map[string]func(context.Context) (any, error)
}

// newReadiness tracks the named dependencies, all "starting".
func newReadiness(names ...string) *readiness {
	r := &readiness{info: map[string]func(context.Context) (any, error){}}
	for _, n := range names {
		r.deps = append(r.deps, &dependency{name: n})
	}
	return r
}

// dep returns the dependency called name; it panics on a name not given
// to newReadiness, which is a wiring mistake.
func (r *readiness) dep(name string) *dependency {
	for _, d := range r.deps {
		if d.name == name {
			return d
		}
	}
	panic("ops: no dependency " + name)
}

// addInfo adds a value /readyz shows under name without failing on it.
func (r *readiness) addInfo(name string, fn func(context.Context) (any, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.info[name] = fn
}

// report checks everything at once within readyBudget; ready is true when
// every dependency is "ok".
func (r *readiness) report(ctx context.Context) (report map[string]any, ready bool) {
	ctx, cancel := context.WithTimeout(ctx, readyBudget)
	defer cancel()
	r.mu.Lock()
	info := make(map[string]func(context.Context) (any, error), len(r.info))
	for k, v := range r.info {
		info[k] = v
	}
	r.mu.Unlock()

	var mu sync.Mutex
	var wg sync.WaitGroup
	report, ready = map[string]any{}, true
	for _, d := range r.deps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := d.status(ctx)
			mu.Lock()
			defer mu.Unlock()
			report[d.name] = s
			ready = ready && s == "ok"
		}()
	}
	for name, fn := range info {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := fn(ctx)
			if err != nil {
				v = "unavailable"
			}
			mu.Lock()
			defer mu.Unlock()
			report[name] = v
		}()
	}
	wg.Wait()
	return report, ready
}

// serveReady answers /readyz: the report as JSON, 200 when ready, else 503.
func (r *readiness) serveReady(w http.ResponseWriter, req *http.Request) {
	report, ready := r.report(req.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(report)
}

// opsServer is a process's operations listener: /healthz, /readyz,
// /metrics from Registry and /debug/pprof. Collectors can be added to
// Registry at any time (the worker adds the database-derived ones once
// connected).
type opsServer struct {
	Mux      *http.ServeMux
	Registry *prometheus.Registry
	srv      *http.Server
	l        net.Listener
	done     chan error
}

// newOps opens the ops listener of process (DARGO_OPS_ADDR, else the
// process's default) with /healthz and /readyz from r and /metrics from
// reg. It is the first thing a process opens, so that probes answer while
// it waits for its dependencies. DARGO_OPS_ADDR=off gives a nil
// *opsServer, which serves nothing.
func newOps(env *Env, process string, r *readiness, reg *prometheus.Registry) (*opsServer, error) {
	addr := env.Config.OpsAddr
	switch addr {
	case "off":
		return nil, nil
	case "":
		addr = opsDefaults[process]
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ops listener (DARGO_OPS_ADDR): %w", err)
	}
	o := &opsServer{Mux: http.NewServeMux(), Registry: reg, l: l, done: make(chan error, 1)}
	guard := opsGuard{token: env.Config.MetricsToken}
	o.Mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	o.Mux.HandleFunc("GET /readyz", r.serveReady)
	// expvar's memory statistics and the goroutine count, for a soak that
	// watches a process for leaks (faults/).
	o.Mux.Handle("GET /debug/vars", guard.private(expvar.Handler()))
	o.Mux.Handle("GET /metrics", guard.metrics(promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:          promLog{env.Log.With("listener", "ops")},
		Timeout:           10 * time.Second,
		EnableOpenMetrics: true,
	})))
	o.Mux.Handle("GET /debug/pprof/", guard.private(http.HandlerFunc(pprof.Index)))
	o.Mux.Handle("GET /debug/pprof/cmdline", guard.private(http.HandlerFunc(pprof.Cmdline)))
	o.Mux.Handle("GET /debug/pprof/profile", guard.private(http.HandlerFunc(pprof.Profile)))
	o.Mux.Handle("GET /debug/pprof/symbol", guard.private(http.HandlerFunc(pprof.Symbol)))
	o.Mux.Handle("GET /debug/pprof/trace", guard.private(http.HandlerFunc(pprof.Trace)))
	o.srv = &http.Server{
		Handler:           o.Mux,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      2 * time.Minute, // a 30 s CPU profile, a trace
		ErrorLog:          httpErrorLog(env.Log.With("listener", "ops")),
	}
	go func() { o.done <- o.srv.Serve(l) }()
	env.Log.Info("ops listening", "addr", l.Addr().String(), "process", process)
	return o, nil
}

// url is where the listener serves, "none" without one.
func (o *opsServer) url() string {
	if o == nil {
		return "none"
	}
	return "http://" + o.l.Addr().String()
}

// register adds collectors to /metrics; a no-op without a listener.
func (o *opsServer) register(cs ...prometheus.Collector) {
	if o != nil {
		o.Registry.MustRegister(cs...)
	}
}

// deskCollectors are the families read at scrape time from the database
// and Redis: one process per deployment serves them (the worker, or dev),
// so that the desk's numbers are not summed over replicas by mistake.
func deskCollectors(env *Env, db *store.DB, rdb redis.UniversalClient, queues map[string]int) []prometheus.Collector {
	if len(queues) == 0 {
		queues = jobs.DefaultQueues
	}
	return []prometheus.Collector{
		metrics.NewStoreCollector(db, env.Log),
		metrics.NewQueueCollector(asynq.NewInspectorFromRedisClient(rdb), slices.Sorted(maps.Keys(queues)), env.Log),
	}
}

// Close stops the listener; probes in flight get a second to finish.
func (o *opsServer) Close() error {
	if o == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := o.srv.Shutdown(ctx)
	if serveErr := <-o.done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

func init() {
	expvar.Publish("goroutines", expvar.Func(func() any { return runtime.NumGoroutine() }))
}
