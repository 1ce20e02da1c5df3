package jobs

import (
	"context"

	"github.com/hibiken/asynq"
)

// HandleOutboxLag warns when the oldest outbox row waits longer than the
// threshold: the relay is down or cannot reach Redis.
func (h *Handlers) HandleOutboxLag(ctx context.Context, t *asynq.Task) error {
	n, age, err := h.store.OutboxLag(ctx)
	if err != nil {
		return err
	}
	if n > 0 && age > h.lagThreshold {
		h.log.Warn("outbox relay lagging", "task_type", t.Type(), "count", n, "age", age.Round(1e9).String())
	}
	return nil
}

// sweepBatch is how many rows one DELETE removes: small enough that no
// statement holds its locks for long.
const sweepBatch = 1000

// HandleSweepTokens deletes magic-link tokens past their 15 minutes.
func (h *Handlers) HandleSweepTokens(ctx context.Context, t *asynq.Task) error {
	n, err := h.store.SweepLoginTokens(ctx, sweepBatch)
	if err != nil {
		return err
	}
	h.log.Info("swept", "task_type", t.Type(), "removed", n)
	return nil
}

// HandleSweepSessions deletes sessions past their 7 days.
func (h *Handlers) HandleSweepSessions(ctx context.Context, t *asynq.Task) error {
	n, err := h.store.SweepSessions(ctx, sweepBatch)
	if err != nil {
		return err
	}
	h.log.Info("swept", "task_type", t.Type(), "removed", n)
	return nil
}

// HandleSweepRetention is the daily retention hook that the privacy issue
// fills.
func (h *Handlers) HandleSweepRetention(ctx context.Context, t *asynq.Task) error {
	h.log.Info("nothing to sweep yet", "task_type", t.Type())
	return nil
}
