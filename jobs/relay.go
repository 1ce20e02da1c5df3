package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/store"
)

// RelayBatch is how many outbox rows one relay pass takes.
const RelayBatch = 100

// relayRetention keeps a finished email:send task in Redis for a day, so
// re-enqueueing its outbox row conflicts on the TaskID instead of queueing
// the mail again.
const relayRetention = 24 * time.Hour

// maxRelayBackoff caps the wait between failing relay passes.
const maxRelayBackoff = time.Minute

// Relay hands outbox rows to asynq and marks them relayed.
type Relay struct {
	store          RelayStore
	client         *asynq.Client
	log            *slog.Logger
	reconcileBatch int
}

// NewRelay returns a relay from the store to the client's Redis.
func NewRelay(s RelayStore, c *asynq.Client, logger *slog.Logger) *Relay {
	if logger == nil {
		logger = slog.Default()
	}
	return &Relay{store: s, client: c, log: logger, reconcileBatch: reconcileBatch}
}

// OutboxTaskID is the asynq task id of an outbox row's task.
func OutboxTaskID(outboxID int64) string { return fmt.Sprintf("outbox:%d", outboxID) }

// RunOnce enqueues up to RelayBatch pending rows and marks those enqueued
// relayed; it returns how many it marked. A row whose TaskID is already
// taken was enqueued by an earlier pass that died before marking it, so it
// counts as enqueued. When Redis fails, rows enqueued before the failure
// are marked and the rest wait for the next pass.
func (r *Relay) RunOnce(ctx context.Context) (int, error) {
	rows, err := r.store.OutboxDue(ctx, RelayBatch)
	if err != nil {
		return 0, err
	}
	// Enqueues are independent round trips: a few at a time hide the
	// latency. Order does not matter, the queue is not FIFO across workers.
	// The first failure (Redis down, most likely) stops the rest.
	enqCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ok := make([]bool, len(rows))
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		enqErr error
	)
	sem := make(chan struct{}, relayParallel)
	for i, row := range rows {
		sem <- struct{}{}
		if enqCtx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if _, err := r.safeEnqueue(enqCtx, row); err != nil {
				mu.Lock()
				if enqErr == nil {
					enqErr = err
					cancel()
				}
				mu.Unlock()
				return
			}
			ok[i] = true
		})
	}
	wg.Wait()
	done := make([]int64, 0, len(rows))
	for i, row := range rows {
		if ok[i] {
			done = append(done, row.ID)
		}
	}
	if err := r.store.MarkRelayed(ctx, done); err != nil {
		return 0, errors.Join(enqErr, err)
	}
	return len(done), enqErr
}

// safeEnqueue is enqueue with a panic turned into an error.
func (r *Relay) safeEnqueue(ctx context.Context, row store.OutboxRow) (created bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("jobs: relay outbox %d: panic: %v", row.ID, p)
		}
	}()
	return r.enqueue(ctx, row)
}

// relayParallel is how many enqueues one relay pass has in flight.
const relayParallel = 8

// enqueue puts an outbox row's task on the queue and reports whether it
// created it; a TaskID conflict means it is there already.
func (r *Relay) enqueue(ctx context.Context, row store.OutboxRow) (created bool, err error) {
	if row.EmailID == nil {
		// Every outbox row so far is a mail; one without is a bug, and
		// holding it back would only block the rows behind it.
		r.log.Error("outbox row without email skipped", "outbox", row.ID, "kind", row.Kind)
		return false, nil
	}
	return enqueueEmail(ctx, r.client, *row.EmailID, row.Kind, OutboxTaskID(row.ID))
}

// enqueueEmail enqueues the send of an email under taskID and reports
// whether it created the task; a TaskID conflict means it exists already.
func enqueueEmail(ctx context.Context, c *asynq.Client, emailID int64, kind, taskID string) (bool, error) {
	task, err := NewEmailSendTask(emailID, kind)
	if err != nil {
		return false, err
	}
	_, err = c.EnqueueContext(ctx, task, asynq.TaskID(taskID), asynq.Retention(relayRetention))
	switch {
	case errors.Is(err, asynq.ErrTaskIDConflict):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("jobs: enqueue %s: %w", taskID, err)
	}
	return true, nil
}

// Run relays until ctx is done: a pass every interval, at once while rows
// keep coming in full batches, backing off while passes fail. A failure
// is logged when it starts and when it ends, not on every pass. The mail
// Redis lost is found by RunReconcile, which runs beside it.
func (r *Relay) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = time.Second
	}
	runLoop(ctx, r.log, "outbox relay", interval, func(ctx context.Context) (bool, error) {
		n, err := r.RunOnce(ctx)
		return n == RelayBatch, err
	})
}
