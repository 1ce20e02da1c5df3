package jobs

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/store"
)

// Task types.
const (
	TypeEmailSend      = "email:send"
	TypeOutboxLag      = "outbox:lag"
	TypeSweepTokens    = "sweep:tokens"
	TypeSweepSessions  = "sweep:sessions"
	TypeSweepRetention = "sweep:retention"
	TypePrivacyDue     = "notify:privacy_due"
)

// Queues, by urgency.
const (
	QueueCritical = "critical" // magic links: somebody is waiting at a login form
	QueueDefault  = "default"  // notifications
	QueueLow      = "low"      // sweeps and bulk
)

// EmailMaxRetry is how often a temporary send failure is retried; with
// RetryDelay's backoff capped at 10 minutes that spans about an hour.
const EmailMaxRetry = 12

// QueueFor returns the queue mails of an email kind go to.
func QueueFor(kind string) string {
	switch kind {
	case store.EmailMagicLink:
		return QueueCritical
	case store.EmailConfirmation, store.EmailReply, store.EmailStatus, store.EmailTooLarge, store.EmailStaffNotice, store.EmailStaffDigest, store.EmailStaffUnrecorded, store.EmailMerged, store.EmailForward, store.EmailAutocloseWarning:
		return QueueDefault
	default:
		return QueueLow
	}
}

// EmailPayload is an email:send task's payload: the emails row id only.
type EmailPayload struct {
	EmailID int64 `json:"email_id"`
}

// NewEmailSendTask returns the task that sends the emails row id, on the
// queue for its kind.
func NewEmailSendTask(emailID int64, kind string) (*asynq.Task, error) {
	payload, err := json.Marshal(EmailPayload{EmailID: emailID})
	if err != nil {
		return nil, fmt.Errorf("jobs: email send task: %w", err)
	}
	return asynq.NewTask(TypeEmailSend, payload, asynq.Queue(QueueFor(kind)), asynq.MaxRetry(EmailMaxRetry)), nil
}

// PeriodicMaxRetry is how often a failed periodic task is retried, so that
// a database blip does not cost a run; a run still failing after that is
// revoked, not archived (see periodic), and the next scheduled one takes over.
const PeriodicMaxRetry = 3

// NewOutboxLagTask returns the check of how far mail is behind.
func NewOutboxLagTask() *asynq.Task {
	return asynq.NewTask(TypeOutboxLag, nil, asynq.Queue(QueueDefault), asynq.MaxRetry(PeriodicMaxRetry))
}

// NewSweepTokensTask returns the sweep of expired magic-link tokens.
func NewSweepTokensTask() *asynq.Task { return newSweepTask(TypeSweepTokens) }

// NewSweepSessionsTask returns the sweep of expired sessions.
func NewSweepSessionsTask() *asynq.Task { return newSweepTask(TypeSweepSessions) }

// NewSweepRetentionTask returns the daily retention sweep.
func NewSweepRetentionTask() *asynq.Task { return newSweepTask(TypeSweepRetention) }

// NewPrivacyDueTask returns the hourly check that tells staff of privacy
// requests near their due date. A missed run is made up by the next.
func NewPrivacyDueTask() *asynq.Task {
	return asynq.NewTask(TypePrivacyDue, nil, asynq.Queue(QueueLow), asynq.MaxRetry(PeriodicMaxRetry), asynq.Timeout(10*time.Minute))
}

// newSweepTask is a periodic sweep: the next run does what a failed one
// left, so a few retries ride out a blip and no more.
func newSweepTask(typ string) *asynq.Task {
	return asynq.NewTask(typ, nil, asynq.Queue(QueueLow), asynq.MaxRetry(PeriodicMaxRetry), asynq.Timeout(10*time.Minute))
}
