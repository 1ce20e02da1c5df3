package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/store"
)

// HandleOutboxLag warns when the oldest outbox row waits longer than the
// threshold (the relay is down or cannot reach Redis), and when mail has
// been queued, due and unsent for over two minutes (no worker sends it:
// its task is lost, or SES keeps failing).
func (h *Handlers) HandleOutboxLag(ctx context.Context, t *asynq.Task) error {
	l, err := h.store.MailLag(ctx)
	if err != nil {
		return err
	}
	if l.Unrelayed > 0 && l.UnrelayedAge > h.lagThreshold {
		h.log.Warn("outbox relay lagging", "task_type", t.Type(), "count", l.Unrelayed, "age", l.UnrelayedAge.Round(time.Second).String())
	}
	if l.QueuedOver2Min > 0 {
		h.log.Warn("queued mail not sent for over 2 minutes", "task_type", t.Type(), "count", l.QueuedOver2Min, "oldest_age", l.QueuedAge.Round(time.Second).String())
	}
	return nil
}

// sweepBatch is how many rows one statement removes: small enough that no
// statement holds its locks for long.
const sweepBatch = 1000

// Retention periods when Opts leaves them zero, and the dev outbox's.
const (
	DefaultRawMailRetention  = 30 * 24 * time.Hour // DARGO_RAW_MAIL_DAYS
	DefaultLoginLogRetention = 90 * 24 * time.Hour // DARGO_LOGIN_LOG_DAYS
	DefaultUsageRetention    = 30 * 24 * time.Hour // DARGO_USAGE_DAYS
	DevMailRetention         = 24 * time.Hour
	// StaffEventRetention is how long the events staff notices told of
	// are kept (the privacy-due ones stay: they mark a request as told).
	StaffEventRetention = 90 * 24 * time.Hour
)

// SweepStaffEvents names the sweep of old staff notice events.
const SweepStaffEvents = "staff_events"

// PrivacyDueNotice is how long before its due date a privacy request is
// told of.
const PrivacyDueNotice = 3 * 24 * time.Hour

// HandleSweepTokens deletes magic-link tokens past their 15 minutes.
func (h *Handlers) HandleSweepTokens(ctx context.Context, t *asynq.Task) error {
	return h.sweep(ctx, t, store.SweepTokens, func(ctx context.Context) (int64, error) {
		return h.store.SweepLoginTokens(ctx, sweepBatch)
	})
}

// HandleSweepSessions ends sessions past their 7 days (as expired; the
// retention sweep deletes them later).
func (h *Handlers) HandleSweepSessions(ctx context.Context, t *asynq.Task) error {
	return h.sweep(ctx, t, store.SweepSessions, func(ctx context.Context) (int64, error) {
		return h.store.SweepSessions(ctx, sweepBatch)
	})
}

// HandleSweepRetention runs the daily retention sweeps: the sign-in log and
// IP addresses, the dev outbox, raw usage events (added up into daily
// counts first), drafts and staged files left unsent, undo records and
// reply-form keys past a day, staff notice events past 90 days, the closed tickets of erased customers, and raw inbound
// mail. One failing does not stop the others. Raw mail goes last:
// a first run over a large backlog may use up the task's deadline, and the
// next day's run carries on where it stopped.
func (h *Handlers) HandleSweepRetention(ctx context.Context, t *asynq.Task) error {
	return errors.Join(
		h.sweep(ctx, t, store.SweepLoginLog, func(ctx context.Context) (int64, error) {
			return h.store.SweepLoginLog(ctx, h.loginLogRetention, sweepBatch)
		}),
		h.sweep(ctx, t, store.SweepDevMail, func(ctx context.Context) (int64, error) {
			return h.store.SweepDevMail(ctx, DevMailRetention, sweepBatch)
		}),
		h.sweep(ctx, t, store.SweepUsage, func(ctx context.Context) (int64, error) {
			return h.store.SweepUsage(ctx, h.usageRetention, sweepBatch)
		}),
		h.sweep(ctx, t, store.SweepDrafts, func(ctx context.Context) (int64, error) {
			return h.store.SweepOldDrafts(ctx, store.DraftsKept, sweepBatch)
		}),
		h.sweep(ctx, t, store.SweepUndo, func(ctx context.Context) (int64, error) {
			return h.store.SweepOldUndos(ctx, store.UndoKept, sweepBatch)
		}),
		h.sweep(ctx, t, SweepStaffEvents, func(ctx context.Context) (int64, error) {
			return h.store.SweepStaffEvents(ctx, StaffEventRetention, sweepBatch)
		}),
		h.sweep(ctx, t, store.SweepErasedTickets, func(ctx context.Context) (int64, error) {
			return h.store.SweepErasedTickets(ctx, sweepBatch)
		}),
		h.sweep(ctx, t, store.SweepRawMail, func(ctx context.Context) (int64, error) {
			return h.store.SweepRawMail(ctx, h.rawMailRetention, sweepBatch)
		}),
	)
}

// HandlePrivacyDue tells staff of the privacy requests due within
// PrivacyDueNotice (their assignee, or everyone when nobody is assigned),
// each once.
func (h *Handlers) HandlePrivacyDue(ctx context.Context, t *asynq.Task) error {
	n, err := h.store.TellPrivacyDue(ctx, PrivacyDueNotice)
	if err != nil {
		return fmt.Errorf("jobs: privacy due after telling of %d: %w", n, err)
	}
	if n > 0 {
		h.log.Info("privacy requests near their due date told", "task_type", t.Type(), "count", n)
	}
	return nil
}

// sweep runs one sweep, records the run (for /metrics) and logs what it
// removed. A failed run is recorded with what it removed before failing;
// the asynq error handler logs the failure.
func (h *Handlers) sweep(ctx context.Context, t *asynq.Task, name string, run func(context.Context) (int64, error)) error {
	start := time.Now()
	n, err := run(ctx)
	took := time.Since(start)
	// Recorded even when the task's deadline has passed: what was removed
	// is gone either way.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if rerr := h.store.RecordSweepRun(rctx, store.SweepRun{Name: name, Removed: n, Duration: took, Failed: err != nil}); rerr != nil {
		h.log.Warn("sweep not recorded", "task_type", t.Type(), "sweep", name, "err", rerr)
	}
	if err != nil {
		return fmt.Errorf("jobs: sweep %s removed %d, then: %w", name, n, err)
	}
	h.log.Info("swept", "task_type", t.Type(), "sweep", name, "removed", n, "duration", took.Round(time.Millisecond).String())
	return nil
}
