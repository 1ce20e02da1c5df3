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

// HandleSweepTokens deletes expired magic-link tokens; they arrive with the
// login issue.
func (h *Handlers) HandleSweepTokens(ctx context.Context, t *asynq.Task) error {
	h.log.Info("nothing to sweep yet", "task_type", t.Type())
	return nil
}

// HandleSweepSessions deletes expired sessions; they arrive with the login
// issue.
func (h *Handlers) HandleSweepSessions(ctx context.Context, t *asynq.Task) error {
	h.log.Info("nothing to sweep yet", "task_type", t.Type())
	return nil
}

// HandleSweepRetention is the daily retention hook that the privacy issue
// fills.
func (h *Handlers) HandleSweepRetention(ctx context.Context, t *asynq.Task) error {
	h.log.Info("nothing to sweep yet", "task_type", t.Type())
	return nil
}
