package main

import (
	"context"
	"flag"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// workerOpts are dargo worker's flags.
type workerOpts struct {
	concurrency int
	queues      string
}

func (o *workerOpts) flags(fs *flag.FlagSet) {
	fs.IntVar(&o.concurrency, "concurrency", 0, "run at most `N` tasks at once (default DARGO_WORKER_CONCURRENCY)")
	fs.StringVar(&o.queues, "queues", "", "queue priorities `q=p,...`, e.g. critical=6,default=3,low=1 (default DARGO_QUEUES)")
}

// runWorker runs the task server and the outbox relay until interrupted.
func runWorker(ctx context.Context, env *Env, o *workerOpts, _ []string) error {
	c := env.Config
	concurrency := &o.concurrency // 0: DARGO_WORKER_CONCURRENCY
	switch {
	case *concurrency < 0:
		return usagef("--concurrency: want a number ≥ 1, got %d", *concurrency)
	case *concurrency == 0:
		*concurrency = c.Concurrency
	}
	q := c.Queues
	if o.queues != "" {
		var err error
		if q, err = ParseQueues(o.queues); err != nil {
			return usagef("--queues: %w", err)
		}
	}
	if err := requireTLS(env, usesDatabase|usesRedis|usesAWS); err != nil {
		return err
	}
	redis, err := redisOpt(c)
	if err != nil {
		return err
	}
	mailer := c.Mailer
	if mailer == "" {
		mailer = "ses"
	}
	ready := newReadiness("database", "redis")
	ops, err := newOps(env, "worker", ready, metrics.NewRegistry([][]prometheus.Collector{metrics.Worker}))
	if err != nil {
		return err
	}
	defer ops.Close()
	db, err := waitDB(ctx, env, ready.dep("database"))
	if stopped(err) {
		return nil
	} else if err != nil {
		return err
	}
	defer db.Close()
	ready.addInfo("mail_lag", func(ctx context.Context) (any, error) { return mailLag(ctx, db) })
	rdb := jobs.RedisClient(redis)
	defer rdb.Close()
	if err := waitRedis(ctx, env, rdb, ready.dep("redis")); stopped(err) {
		return nil
	} else if err != nil {
		return err
	}
	ops.register(deskCollectors(env, db, rdb, q)...)
	w, err := startWorker(ctx, env, db, redis, mailer, *concurrency, q)
	if err != nil {
		return err
	}
	env.Log.Info("worker started", "concurrency", *concurrency, "queues", q, "mailer", mailer)
	<-ctx.Done()
	env.Log.Info("worker stopping")
	return w.stop()
}

// mailLagReport is the worker's /readyz view of late mail; it informs and
// does not make the worker unready.
type mailLagReport struct {
	Queued         int     `json:"queued"`
	OldestQueued   float64 `json:"oldest_queued_seconds"`
	QueuedOver2Min int     `json:"queued_over_2m"`
	Unrelayed      int     `json:"unrelayed"`
}

func mailLag(ctx context.Context, db *store.DB) (mailLagReport, error) {
	l, err := db.MailLag(ctx)
	if err != nil {
		return mailLagReport{}, err
	}
	return mailLagReport{
		Queued:         l.Queued,
		OldestQueued:   l.QueuedAge.Round(time.Second).Seconds(),
		QueuedOver2Min: l.QueuedOver2Min,
		Unrelayed:      l.Unrelayed,
	}, nil
}
