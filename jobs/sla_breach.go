package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeSLABreach is the minutely check for missed SLA targets.
const TypeSLABreach = "notify:sla_breach"

// NewSLABreachTask returns the minutely check that tells staff of SLA
// targets missed since the last run (store.TellSLABreaches).
func NewSLABreachTask() *asynq.Task {
	return asynq.NewTask(TypeSLABreach, nil, asynq.Queue(QueueLow), asynq.MaxRetry(PeriodicMaxRetry), asynq.Timeout(5*time.Minute))
}

// HandleSLABreach tells the assignee (or every staff member when nobody is
// assigned) of each SLA target missed, once per target.
func (h *Handlers) HandleSLABreach(ctx context.Context, t *asynq.Task) error {
	n, err := h.store.TellSLABreaches(ctx)
	if err != nil {
		return fmt.Errorf("jobs: sla breaches after telling of %d: %w", n, err)
	}
	if n > 0 {
		h.log.Info("sla breaches told", "task_type", t.Type(), "count", n)
	}
	return nil
}
