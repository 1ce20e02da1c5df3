package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/store"
)

// A process started while its database or Redis is down waits for them
// instead of exiting (which an orchestrator would turn into crash-loop
// back-off), retrying with back-off and answering /readyz 503 meanwhile.

const (
	maxBackoff = 15 * time.Second
	// attemptTimeout bounds one connection attempt, for a host that drops
	// packets instead of refusing.
	attemptTimeout = 10 * time.Second
	// capLogEvery is how often a wait at the back-off cap logs.
	capLogEvery = time.Minute
)

// backoff is the wait after failed attempt n (from 1): 1 s, 2 s, 4 s, 8 s,
// then 15 s.
func backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	if n > 4 {
		return maxBackoff
	}
	return min(time.Second<<(n-1), maxBackoff)
}

// waiter retries a connection until it succeeds; now and sleep are the
// clock, replaced in tests.
type waiter struct {
	log   *slog.Logger
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

func newWaiter(log *slog.Logger) waiter {
	return waiter{log: log, now: time.Now, sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wait calls try until it returns nil or ctx ends (then it returns ctx's
// error). It logs a warning once per back-off step, at the cap at most once
// a minute, and an info line when connected after a failure.
func (w waiter) wait(ctx context.Context, dep string, try func(ctx context.Context) error) error {
	start := w.now()
	var lastLog time.Time
	for n := 1; ; n++ {
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		err := try(actx)
		cancel()
		if err == nil {
			if n > 1 {
				w.log.Info("connected", "dependency", dep, "attempt", n, "waited", w.now().Sub(start).Round(time.Millisecond).String())
			}
			return nil
		}
		if ctx.Err() != nil {
			w.log.Info("stopped while waiting for "+dep, "dependency", dep, "attempt", n)
			return ctx.Err()
		}
		var p permanentError
		if errors.As(err, &p) {
			return p.err // waiting cannot fix it: say so now
		}
		d := backoff(n)
		if now := w.now(); d < maxBackoff || backoff(n-1) < maxBackoff || now.Sub(lastLog) >= capLogEvery {
			lastLog = now
			w.log.Warn("waiting for "+dep, "dependency", dep, "err", err, "attempt", n, "retry_in", d.String())
		}
		if err := w.sleep(ctx, d); err != nil {
			w.log.Info("stopped while waiting for "+dep, "dependency", dep, "attempt", n)
			return err
		}
	}
}

// stopped says whether err means the process was told to stop while it
// waited, which is a clean exit.
func stopped(err error) bool {
	return errors.Is(err, context.Canceled)
}

// permanentError is a failure no wait can fix: wait returns it at once.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// databaseRefused reports a PostgreSQL answer that retrying cannot change:
// a wrong password or user (class 28) or a database that does not exist
// (3D000). A server that is down, starting or full is worth waiting for.
func databaseRefused(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (strings.HasPrefix(pg.Code, "28") || pg.Code == "3D000")
}

// waitDB opens the database, waiting for a PostgreSQL server that is down,
// and marks dep ready when it is open. A SQLite file has no outage to wait
// out, so it is opened once.
func waitDB(ctx context.Context, env *Env, dep *dependency) (*store.DB, error) {
	var db *store.DB
	open := func(ctx context.Context) error {
		var err error
		db, err = openDB(ctx, env, false)
		if databaseRefused(err) {
			return permanentError{err}
		}
		return err
	}
	var err error
	if strings.HasPrefix(env.Config.DatabaseURL, "postgres") {
		err = newWaiter(env.Log).wait(ctx, "database", open)
	} else {
		err = open(ctx)
	}
	if err != nil {
		return nil, err
	}
	dep.connected(db.Ping)
	return db, nil
}

// waitRedis pings Redis until it answers, then marks dep ready.
func waitRedis(ctx context.Context, env *Env, rdb redis.UniversalClient, dep *dependency) error {
	ping := func(ctx context.Context) error { return rdb.Ping(ctx).Err() }
	if err := newWaiter(env.Log).wait(ctx, "redis", ping); err != nil {
		return err
	}
	dep.connected(ping)
	return nil
}
