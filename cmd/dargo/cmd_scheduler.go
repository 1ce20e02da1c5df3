package main

import (
	"context"
	"fmt"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/jobs"
)

// runScheduler enqueues the periodic tasks until interrupted. Its tasks are
// unique, so a second scheduler (a deploy overlap) enqueues nothing twice.
func runScheduler(ctx context.Context, env *Env, args []string) error {
	if err := requireTLS(env, usesRedis); err != nil {
		return err
	}
	redis, err := redisOpt(env.Config)
	if err != nil {
		return err
	}
	ready := newReadiness("redis")
	ops, err := newOps(env, "scheduler", ready, metrics.NewRegistry(nil))
	if err != nil {
		return err
	}
	defer ops.Close()
	rdb := jobs.RedisClient(redis)
	defer rdb.Close()
	if err := waitRedis(ctx, env, rdb, ready.dep("redis")); stopped(err) {
		return nil
	} else if err != nil {
		return err
	}
	s := jobs.NewScheduler(redis, env.Log)
	if err := jobs.RegisterSchedule(s); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	if err := s.Start(); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	env.Log.Info("scheduler started", "tasks", len(jobs.Schedule))
	<-ctx.Done()
	s.Shutdown()
	return nil
}
