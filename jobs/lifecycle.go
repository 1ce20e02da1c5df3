package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeLifecycleSweep is the sweep that moves tickets on by themselves:
// auto-close warnings, auto-resolving, closing and snooze wake-ups.
const TypeLifecycleSweep = "lifecycle:sweep"

// SweepLifecycleName names the lifecycle sweep's runs (for /metrics).
const SweepLifecycleName = "lifecycle"

// NewLifecycleSweepTask returns the five-minutely lifecycle sweep.
func NewLifecycleSweepTask() *asynq.Task {
	return asynq.NewTask(TypeLifecycleSweep, nil, asynq.Queue(QueueLow), asynq.MaxRetry(PeriodicMaxRetry), asynq.Timeout(4*time.Minute))
}

// HandleLifecycleSweep runs one lifecycle sweep (store.DB.SweepLifecycle)
// and records it with the other sweeps; what it moved counts as removed.
func (h *Handlers) HandleLifecycleSweep(ctx context.Context, t *asynq.Task) error {
	return h.sweep(ctx, t, SweepLifecycleName, func(ctx context.Context) (int64, error) {
		s, err := h.store.SweepLifecycle(ctx)
		if s.Total() > 0 {
			h.log.Info("lifecycle swept", "task_type", t.Type(), "warned", s.Warned, "resolved", s.Resolved, "closed", s.Closed, "woken", s.Woken)
		}
		if err != nil {
			return s.Total(), fmt.Errorf("lifecycle: %w", err)
		}
		return s.Total(), nil
	})
}
