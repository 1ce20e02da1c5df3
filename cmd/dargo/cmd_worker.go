package main

import (
	"context"
	"flag"
)

// runWorker runs the task server and the outbox relay until interrupted.
func runWorker(ctx context.Context, env *Env, args []string) error {
	c := env.Config
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	concurrency := fs.Int("concurrency", c.Concurrency, "tasks run at once")
	queues := fs.String("queues", "", "queue priorities, e.g. critical=6,default=3,low=1 (default DARGO_QUEUES)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	q := c.Queues
	if *queues != "" {
		var err error
		if q, err = ParseQueues(*queues); err != nil {
			return err
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
	db, err := openDB(ctx, env, false)
	if err != nil {
		return err
	}
	defer db.Close()
	w, err := startWorker(ctx, env, db, redis, mailer, *concurrency, q)
	if err != nil {
		return err
	}
	env.Log.Info("worker started", "concurrency", *concurrency, "queues", q, "mailer", mailer)
	<-ctx.Done()
	env.Log.Info("worker stopping")
	return w.stop()
}
