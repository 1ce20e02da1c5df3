package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/store"
)

// OrphanInterval is how often a worker looks for the tasks of a worker
// that stopped. asynq's lease on an active task runs 30 s past the last
// heartbeat of its worker; its own recoverer takes such a task back only
// 30 s after that, looking once a minute (not configurable in v0.26), so
// a killed worker's mail would wait up to two minutes.
const OrphanInterval = 10 * time.Second

// orphanPage is how many active tasks of a queue one look lists: more
// than all workers together run at once.
const orphanPage = 1000

// Orphans brings back sooner the mail a stopped worker was sending: an
// active email:send task whose lease ran out (its worker stopped
// extending it) is enqueued again at once if its mail is still queued.
// The new task's id is derived from the orphaned task's own, so that
// every look (every 10 s, by every worker, until asynq's recoverer takes
// the original back) creates it once; ClaimSend keeps the original task,
// when the recoverer brings it back later, from sending a second time.
type Orphans struct {
	store     OrphanStore
	inspector *asynq.Inspector
	client    *asynq.Client
	queues    []string
	log       *slog.Logger
}

// NewOrphans returns the orphan check of queues (nil is DefaultQueues) on
// redis, enqueueing with c. Close it when done.
func NewOrphans(s OrphanStore, redis asynq.RedisConnOpt, c *asynq.Client, queues map[string]int, logger *slog.Logger) *Orphans {
	if logger == nil {
		logger = slog.Default()
	}
	if len(queues) == 0 {
		queues = DefaultQueues
	}
	names := make([]string, 0, len(queues))
	for q := range queues {
		names = append(names, q)
	}
	sort.Strings(names)
	return &Orphans{store: s, inspector: asynq.NewInspector(redis), client: c, queues: names, log: logger}
}

// Close closes the check's connection to Redis.
func (o *Orphans) Close() error { return o.inspector.Close() }

// RunOnce enqueues again the mail of orphaned email:send tasks and returns
// how many tasks it created.
func (o *Orphans) RunOnce(ctx context.Context) (int, error) {
	created := 0
	for _, q := range o.queues {
		tasks, err := o.inspector.ListActiveTasks(q, asynq.PageSize(orphanPage))
		if errors.Is(err, asynq.ErrQueueNotFound) {
			continue // nothing was ever enqueued on it
		}
		if err != nil {
			return created, fmt.Errorf("jobs: orphans of queue %s: %w", q, err)
		}
		for _, t := range tasks {
			if !t.IsOrphaned || t.Type != TypeEmailSend {
				continue
			}
			ok, err := o.rescue(ctx, t)
			if err != nil {
				return created, err
			}
			if ok {
				created++
			}
		}
	}
	return created, nil
}

// rescue enqueues the mail of an orphaned task again if it is still queued.
func (o *Orphans) rescue(ctx context.Context, t *asynq.TaskInfo) (bool, error) {
	var p EmailPayload
	if err := json.Unmarshal(t.Payload, &p); err != nil || p.EmailID <= 0 {
		return false, nil // the task fails by itself when it runs again
	}
	row, _, err := o.store.QueuedOutbox(ctx, p.EmailID)
	if errors.Is(err, store.ErrNotQueued) || errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	id := RescueTaskID(t.ID)
	ok, err := enqueueEmail(ctx, o.client, p.EmailID, row.Kind, id)
	if ok {
		o.log.Warn("email of a stopped worker enqueued again", "email_id", p.EmailID, "task_id", id, "orphaned_task_id", t.ID)
	}
	return ok, err
}

// RescueTaskID is the id of the task that takes over from the orphaned
// task origID.
func RescueTaskID(origID string) string { return origID + "/o" }

// Run looks for orphans every interval until ctx is done. A failure is
// logged when it starts and when it ends, not on every look.
func (o *Orphans) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = OrphanInterval
	}
	var failing error
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		_, err := o.safeRunOnce(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && failing == nil:
			o.log.Error("orphan check failing", "err", err)
		case err == nil && failing != nil:
			o.log.Info("orphan check recovered")
		}
		failing = err
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// safeRunOnce is RunOnce with a panic turned into an error.
func (o *Orphans) safeRunOnce(ctx context.Context) (n int, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("jobs: orphan check panic: %v", p)
		}
	}()
	return o.RunOnce(ctx)
}
