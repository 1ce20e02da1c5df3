package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/outbound"
	"github.com/dargo-support/dargo/store"
)

// RelayStore is what the outbox relay needs from the database.
type RelayStore interface {
	OutboxDue(ctx context.Context, limit int) ([]store.OutboxRow, error)
	MarkRelayed(ctx context.Context, ids []int64) error
	StaleRelayed(ctx context.Context, cutoff time.Time, claimTTL time.Duration, limit int) ([]store.OutboxRow, error)
}

// OrphanStore is what the orphan check needs from the database.
type OrphanStore interface {
	QueuedOutbox(ctx context.Context, emailID int64) (*store.OutboxRow, *store.Email, error)
}

var _ OrphanStore = (*store.DB)(nil)

// Store is what the task handlers need from the database.
type Store interface {
	RelayStore
	Outgoing(ctx context.Context, emailID int64) (*store.Outgoing, error)
	StopReason(ctx context.Context, e *store.Email) (string, error)
	ClaimSend(ctx context.Context, id int64, ttl time.Duration) (store.SendClaim, error)
	EndAttempt(ctx context.Context, id int64, attempt int, unsure bool) error
	MarkEmailSent(ctx context.Context, id int64, s store.Sent) error
	MarkEmailFailed(ctx context.Context, id int64, status, reason string) error
	MailLag(ctx context.Context) (store.MailLag, error)
	SweepLoginTokens(ctx context.Context, batch int) (int64, error)
	SweepSessions(ctx context.Context, batch int) (int64, error)
	SweepRawMail(ctx context.Context, keep time.Duration, batch int) (int64, error)
	SweepLoginLog(ctx context.Context, keep time.Duration, batch int) (int64, error)
	SweepErasedTickets(ctx context.Context, batch int) (int64, error)
	SweepDevMail(ctx context.Context, keep time.Duration, batch int) (int64, error)
	SweepUsage(ctx context.Context, keep time.Duration, batch int) (int64, error)
	SweepOldDrafts(ctx context.Context, keep time.Duration, batch int) (int64, error)
	SweepOldUndos(ctx context.Context, keep time.Duration, batch int) (int64, error)
	SweepStaffEvents(ctx context.Context, keep time.Duration, batch int) (int64, error)
	RecordSweepRun(ctx context.Context, r store.SweepRun) error
	StaffNotice(ctx context.Context, o *store.Outgoing) (*store.StaffNotice, error)
	TellPrivacyDue(ctx context.Context, within time.Duration) (int, error)
	SweepLifecycle(ctx context.Context) (store.LifecycleSweep, error)
	TellSLABreaches(ctx context.Context) (int, error)
}

var _ Store = (*store.DB)(nil)

// Sender delivers composed mail and returns the id the service gave it: an
// SES MessageId, or an id starting with DevIDPrefix from the dev outbox.
// Failures that retrying cannot fix are *outbound.PermanentError.
type Sender interface {
	Send(ctx context.Context, from string, to []string, raw []byte) (string, error)
}

// DevIDPrefix starts the ids of mail the dev outbox captured; they are not
// SES ids and never become thread ids.
const DevIDPrefix = "dev-"

// DefaultLagThreshold is how old the oldest unrelayed outbox row may get
// before the lag check warns.
const DefaultLagThreshold = 2 * time.Minute

// Opts is what the task handlers need.
type Opts struct {
	Store    Store
	Sender   Sender
	Outbound outbound.Opts
	// Secret opens sealed magic links (DARGO_SECRET).
	Secret string
	// Limiter holds sends to the account's rate across replicas; nil is unlimited.
	Limiter *Limiter
	// Redis keeps the notes of mail SES took but the database did not yet
	// record (the limiter's client). Without it such a mail is never
	// retried, and stays queued.
	Redis redis.UniversalClient
	// Stopping is closed when the worker begins to shut down: a send not
	// yet handed to SES is then left to a retry. Nil never stops.
	Stopping <-chan struct{}
	// LagThreshold is the outbox age the lag check warns at; 0 is DefaultLagThreshold.
	LagThreshold time.Duration
	// RawMailRetention is how long raw inbound mail is kept
	// (DARGO_RAW_MAIL_DAYS); 0 is DefaultRawMailRetention.
	RawMailRetention time.Duration
	// LoginLogRetention is how long sign-in records and IP addresses are
	// kept (DARGO_LOGIN_LOG_DAYS); 0 is DefaultLoginLogRetention.
	LoginLogRetention time.Duration
	// UsageRetention is how long raw usage events are kept
	// (DARGO_USAGE_DAYS); 0 is DefaultUsageRetention.
	UsageRetention time.Duration
	Logger         *slog.Logger
}

// Handlers are the asynq task handlers.
type Handlers struct {
	store             Store
	sender            Sender
	outbound          outbound.Opts
	secret            string
	limiter           *Limiter
	redis             redis.UniversalClient
	stopping          <-chan struct{}
	lagThreshold      time.Duration
	rawMailRetention  time.Duration
	loginLogRetention time.Duration
	usageRetention    time.Duration
	log               *slog.Logger
}

// NewHandlers returns the handlers for opts.
func NewHandlers(opts Opts) *Handlers {
	h := &Handlers{
		store:             opts.Store,
		sender:            opts.Sender,
		outbound:          opts.Outbound,
		secret:            opts.Secret,
		limiter:           opts.Limiter,
		redis:             opts.Redis,
		stopping:          opts.Stopping,
		lagThreshold:      opts.LagThreshold,
		rawMailRetention:  opts.RawMailRetention,
		loginLogRetention: opts.LoginLogRetention,
		usageRetention:    opts.UsageRetention,
		log:               opts.Logger,
	}
	if h.rawMailRetention <= 0 {
		h.rawMailRetention = DefaultRawMailRetention
	}
	if h.loginLogRetention <= 0 {
		h.loginLogRetention = DefaultLoginLogRetention
	}
	if h.usageRetention <= 0 {
		h.usageRetention = DefaultUsageRetention
	}
	if h.lagThreshold <= 0 {
		h.lagThreshold = DefaultLagThreshold
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	return h
}
