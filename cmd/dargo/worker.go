package main

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/outbound"
	"github.com/dargo-support/dargo/store"
)

// worker is a running asynq server with its outbox relay, reconciliation
// and orphan check.
type worker struct {
	srv     *asynq.Server
	client  *asynq.Client
	orphans *jobs.Orphans
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// startWorker starts the task server, the relay, the reconciliation and
// the orphan check on redis, sending with mailer ("ses" or "outbox").
func startWorker(ctx context.Context, env *Env, db *store.DB, redis asynq.RedisConnOpt, mailer string, concurrency int, queues map[string]int) (*worker, error) {
	c := env.Config
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("DARGO_FROM: %w", err)
	}
	lim := jobs.LimiterOpts{Redis: jobs.RedisClient(redis), MaxRate: c.SESMaxRate, Logger: env.Log}
	var sender jobs.Sender
	switch mailer {
	case "ses":
		ses, err := outbound.NewSESFromEnv(ctx)
		if err != nil {
			return nil, fmt.Errorf("ses: %w", err)
		}
		sender, lim.MaxSendRate = ses, ses.MaxSendRate
	case "outbox":
		sender, lim.Unlimited = outbound.NewDevOutbox(db), true
	default:
		return nil, fmt.Errorf("unknown mailer %q (want ses or outbox)", mailer)
	}
	// Closed by stop() before the server's shutdown: the relay and the
	// orphan check end, and handlers start no new SES call.
	loopCtx, cancel := context.WithCancel(context.Background())
	h := jobs.NewHandlers(jobs.Opts{
		Store:  db,
		Sender: sender,
		Outbound: outbound.Opts{
			From:           outbound.Address{Name: from.Name, Email: from.Address},
			BaseURL:        c.BaseURL,
			MailDomain:     c.MailDomain,
			ReplyTo:        c.replyTo,
			StaffReplyTo:   c.staffReplyTo,
			ForwardReplyTo: c.forwardReplyTo,
			MailLimit:      c.MaxMailBytes,
			RateLink:       c.rateLink,
			AutocloseWarn:  c.Lifecycle.Warn,
		},
		Secret:            c.Secret,
		Limiter:           jobs.NewLimiter(ctx, lim),
		Redis:             lim.Redis,
		Stopping:          loopCtx.Done(),
		RawMailRetention:  time.Duration(c.RawMailDays) * 24 * time.Hour,
		LoginLogRetention: time.Duration(c.LoginLogDays) * 24 * time.Hour,
		UsageRetention:    time.Duration(c.UsageDays) * 24 * time.Hour,
		Logger:            env.Log,
	})
	w := &worker{srv: jobs.NewServer(redis, concurrency, queues, env.Log), client: asynq.NewClient(redis)}
	if err := w.srv.Start(jobs.Mux(h)); err != nil {
		cancel()
		w.client.Close()
		return nil, fmt.Errorf("worker: %w", err)
	}
	w.cancel = cancel
	w.orphans = jobs.NewOrphans(db, redis, w.client, queues, env.Log)
	relay := jobs.NewRelay(db, w.client, env.Log)
	w.wg.Go(func() { relay.Run(loopCtx, c.RelayInterval) })
	w.wg.Go(func() { relay.RunReconcile(loopCtx, jobs.ReconcileInterval) })
	w.wg.Go(func() { w.orphans.Run(loopCtx, jobs.OrphanInterval) })
	return w, nil
}

// stop ends the relay, the reconciliation and the orphan check and tells
// the handlers to start no new send, then lets running tasks finish.
func (w *worker) stop() error {
	w.cancel()
	w.wg.Wait()
	w.srv.Shutdown()
	return errors.Join(w.orphans.Close(), w.client.Close())
}

// redisOpt parses DARGO_REDIS_URL; the production processes need it.
func redisOpt(c *Config) (asynq.RedisConnOpt, error) {
	if c.RedisURL == "" {
		return nil, errors.New("DARGO_REDIS_URL is not set")
	}
	return jobs.ParseRedisURL(c.RedisURL)
}
