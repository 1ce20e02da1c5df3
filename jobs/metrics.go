package jobs

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/internal/redact"
	"github.com/dargo-support/dargo/store"
)

// taskTypes are the task types the worker serves; any other type is
// counted as "other", so that a stray task cannot grow the label set.
var taskTypes = []string{TypeEmailSend, TypeBroadcastQueue, TypeOutboxLag, TypeSweepTokens,
	TypeSweepSessions, TypeSweepRetention, TypePrivacyDue, TypeLifecycleSweep, TypeSLABreach}

// Statuses of dargo_outbound_mails_total: how a send attempt ended.
const (
	mailSent       = "sent"       // SES (or the dev outbox) took the mail
	mailFailed     = "failed"     // the row is marked failed: no attempt follows
	mailSuppressed = "suppressed" // the row is marked suppressed: not sent
	mailRetry      = "retry"      // not sent this time; the mail stays queued for a retry
)

// Outcomes of dargo_tasks_total.
const (
	taskOK     = "ok"
	taskRetry  = "retry"
	taskFailed = "failed"
	taskPanic  = "panic"
)

// other stands for a task type or mail kind Dargo does not know.
const other = "other"

// Every bounded series exists from the start, at 0, so that increase()
// sees the first event after a restart.
func init() {
	for _, typ := range append(slices.Clone(taskTypes), other) {
		for _, o := range []string{taskOK, taskRetry, taskFailed, taskPanic} {
			metrics.Tasks.WithLabelValues(typ, o)
		}
	}
	for _, kind := range store.MailKinds {
		for _, s := range []string{mailSent, mailFailed, mailSuppressed, mailRetry} {
			metrics.OutboundMails.WithLabelValues(kind, s)
		}
	}
}

// countMail counts the end of a send attempt of a mail of kind.
func countMail(kind, status string) {
	if !slices.Contains(store.MailKinds, kind) {
		kind = other
	}
	metrics.OutboundMails.WithLabelValues(kind, status).Inc()
}

// instrument is the worker's middleware: it times every task run, counts
// its outcome and redacts email addresses from the error it returns. A panic is counted and left to go on to asynq,
// which recovers it and retries the task as for an error; not recovering
// here keeps the panic's own file and line in asynq's error.
func instrument(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		typ := t.Type()
		if !slices.Contains(taskTypes, typ) {
			typ = other
		}
		start := time.Now()
		outcome := taskPanic // unless the handler returns
		defer func() {
			metrics.TaskDuration.WithLabelValues(typ).Observe(time.Since(start).Seconds())
			metrics.Tasks.WithLabelValues(typ, outcome).Inc()
		}()
		err := next.ProcessTask(ctx, t)
		outcome = taskOutcome(ctx, err)
		// asynq keeps the text in Redis (a retried or archived task's last
		// error, shown on /admin/queues): no address goes there.
		return redact.Error(err)
	})
}

// taskOutcome is what asynq does with a run that returned err: nothing
// more (ok), a retry, or no retry (failed: archived or revoked).
func taskOutcome(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return taskOK
	case errors.Is(err, asynq.SkipRetry), errors.Is(err, asynq.RevokeTask), lastAttempt(ctx):
		return taskFailed
	default:
		return taskRetry
	}
}
