package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// runDev runs the whole product in one process on embedded defaults: the
// SQLite file, an in-process Redis stand-in (unless DARGO_REDIS_URL is set),
// the worker with its relay, the scheduler, the SMTP listener for inbound
// mail and the web pages of the dev outbox.
func runDev(ctx context.Context, env *Env, args []string) error {
	c := env.Config
	if c.Secret == "" {
		secret, path, err := devSecretFile(c.DatabaseURL)
		if err != nil {
			return err
		}
		if path == "" {
			env.Log.Warn("DARGO_SECRET is not set: using the public development key; never do this in production")
		} else {
			env.Log.Info("DARGO_SECRET is not set: using dargo dev's own random secret", "file", path)
		}
		c.Secret = secret
	} else if err := checkSecret(c.Secret); err != nil {
		env.Log.Warn("weak secret, fine for trying Dargo but refused by every production command", "err", err)
	}
	smtpL, err := net.Listen("tcp", c.SMTPAddr)
	if err != nil {
		return fmt.Errorf("smtp listener: %w", err)
	}
	defer smtpL.Close()
	httpL, err := net.Listen("tcp", c.HTTPAddr)
	if err != nil {
		return fmt.Errorf("http listener: %w", err)
	}
	defer httpL.Close()
	if c.BaseURL == defaultBaseURL {
		// Links in mail must reach this process, whatever port it got.
		c.BaseURL = "http://" + httpL.Addr().String()
	}
	db, err := openDB(ctx, env, true)
	if err != nil {
		return err
	}
	defer db.Close()

	var redis asynq.RedisConnOpt
	redisDesc := c.RedisURL
	if c.RedisURL == "" {
		mr, err := miniredis.Run()
		if err != nil {
			return fmt.Errorf("in-process redis: %w", err)
		}
		defer mr.Close()
		redis, redisDesc = asynq.RedisClientOpt{Addr: mr.Addr()}, "in-process stand-in at "+mr.Addr()
	} else if redis, err = jobs.ParseRedisURL(c.RedisURL); err != nil {
		return err
	}
	mailer := c.Mailer
	if mailer == "" {
		mailer = "outbox"
	}
	w, err := startWorker(ctx, env, db, redis, mailer, c.Concurrency, c.Queues)
	if err != nil {
		return err
	}
	defer w.stop()
	sched := jobs.NewScheduler(redis, env.Log)
	if err := jobs.RegisterSchedule(sched); err != nil {
		return err
	}
	if err := sched.Start(); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	defer sched.Shutdown()

	if _, err := db.SetRole(ctx, c.DevAdmin, store.RoleAdmin); err != nil {
		return err
	}
	rdb := jobs.RedisClient(redis)
	defer rdb.Close()
	// One process, every family; a second dev on the same host (its
	// default port taken) goes on without one.
	ready := newReadiness("database", "redis")
	ready.dep("database").connected(db.Ping)
	ready.dep("redis").connected(func(ctx context.Context) error { return rdb.Ping(ctx).Err() })
	ops, err := newOps(env, "dev", ready, metrics.NewRegistry([][]prometheus.Collector{metrics.Web, metrics.Inbound, metrics.Worker}))
	if err != nil {
		env.Log.Warn("no ops listener (set DARGO_OPS_ADDR)", "err", err)
	}
	defer ops.Close()
	ops.register(deskCollectors(env, db, rdb, c.Queues)...)
	smtpSrv := transport.NewSMTPServer(newPipeline(db, env), c.MailDomain, c.MaxMailBytes, env.Log)
	httpSrv, err := newWebServer(env, db, rdb, db)
	if err != nil {
		return err
	}
	done := make(chan error, 2)
	go func() { done <- smtpSrv.Serve(smtpL) }()
	go func() {
		if err := httpSrv.Serve(httpL); !errors.Is(err, http.ErrServerClosed) {
			done <- err
			return
		}
		done <- nil
	}()
	fmt.Fprintf(env.Stdout, `Dargo dev is running.
  database:   %s
  redis:      %s
  SMTP in:    smtp://%s (any recipient @%s)
  web:        %s/login (admin: %s; the sign-in link lands in the dev outbox)
  dev outbox: %s/dev/mail
  ops:        %s (/healthz, /readyz, /metrics, /debug/pprof/)
  try:        curl smtp://%s --mail-from you@example.com --mail-rcpt support@%s --upload-file mail.eml
`, c.DatabaseURL, redisDesc, smtpL.Addr(), c.MailDomain, c.BaseURL, c.DevAdmin, c.BaseURL, ops.url(), smtpL.Addr(), c.MailDomain)

	var runErr error
	select {
	case runErr = <-done:
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = errors.Join(runErr, smtpSrv.Shutdown(shutdown), httpSrv.Shutdown(shutdown))
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
