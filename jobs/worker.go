package jobs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// DefaultQueues are the queue priorities a worker serves: of ten tasks
// taken when all queues are full, six are critical, three default, one low.
var DefaultQueues = map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1}

// shutdownTimeout is how long a stopping worker lets running tasks
// finish: longer than SendTimeout, so that a send under way ends, and
// shorter than the 30 s a platform gives a process after SIGTERM before
// it kills it. A send not started when the shutdown begins is not started
// (Opts.Stopping).
const shutdownTimeout = 20 * time.Second

// maxRetryDelay caps the backoff between retries.
const maxRetryDelay = 10 * time.Minute

// RetryDelay is the wait before retry n: exponential from 2 s, capped at 10
// minutes, with ±25% jitter so that a burst of throttled mails spreads out.
// A mail another attempt is sending (*SendClaimedError) is tried again
// just after that attempt's claim runs out instead.
func RetryDelay(n int, err error, _ *asynq.Task) time.Duration {
	var claimed *SendClaimedError
	if errors.As(err, &claimed) {
		return max(time.Until(claimed.Until), 0) + claimMargin
	}
	d := maxRetryDelay
	if n < 9 {
		d = min(2*time.Second<<n, maxRetryDelay)
	}
	jitter := time.Duration(rand.Int64N(int64(d)/2)) - d/4 // #nosec G404 -- jitter, not a secret
	return d + jitter
}

// NewServer returns an asynq server with Dargo's retry policy, serving
// queues with their priorities (nil is DefaultQueues), and logging each
// task failure once.
func NewServer(redisOpt asynq.RedisConnOpt, concurrency int, queues map[string]int, logger *slog.Logger) *asynq.Server {
	if logger == nil {
		logger = slog.Default()
	}
	if len(queues) == 0 {
		queues = DefaultQueues
	}
	return asynq.NewServer(redisOpt, asynq.Config{
		Concurrency:     concurrency,
		Queues:          queues,
		StrictPriority:  false,
		RetryDelayFunc:  RetryDelay,
		ErrorHandler:    errorLogger(logger),
		Logger:          asynqLogger{logger},
		LogLevel:        asynq.WarnLevel,
		ShutdownTimeout: shutdownTimeout,
	})
}

// errorLogger logs a failed task: a warning while it will be retried, an
// error when it will not. A mail left to the attempt sending it is no
// failure, only a note.
func errorLogger(log *slog.Logger) asynq.ErrorHandlerFunc {
	return func(ctx context.Context, t *asynq.Task, err error) {
		retried, _ := asynq.GetRetryCount(ctx)
		limit, _ := asynq.GetMaxRetry(ctx)
		id, _ := asynq.GetTaskID(ctx)
		attrs := []any{"task_type", t.Type(), "task_id", id, "retried", retried, "max_retry", limit, "err", err}
		var claimed *SendClaimedError
		switch {
		case errors.As(err, &claimed) && errors.Is(err, asynq.RevokeTask):
			log.Warn("email being sent by another attempt and no retry left: left to the outbox reconciliation", attrs...)
		case errors.As(err, &claimed):
			log.Info("email being sent by another attempt, will look again when its claim ends", attrs...)
		case errors.Is(err, errStopping) && !errors.Is(err, asynq.RevokeTask):
			log.Info("worker stopping: email left to a retry", attrs...)
		case t.Type() == TypeEmailSend && errors.Is(err, asynq.RevokeTask):
			log.Error("email not sent and no retry left: left to the outbox reconciliation", attrs...)
		case errors.Is(err, asynq.RevokeTask):
			log.Error("task failed, not retried: its next scheduled run takes over", attrs...)
		case errors.Is(err, asynq.SkipRetry) || retried >= limit:
			log.Error("task failed", attrs...)
		default:
			log.Warn("task failed, will retry", attrs...)
		}
	}
}

// periodic wraps the handler of a periodic task: a run failing on its
// last retry is revoked rather than archived, so a database blip leaves
// nothing in the archive and the next scheduled run takes over.
func periodic(fn asynq.HandlerFunc) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		err := fn(ctx, t)
		if err != nil && (lastAttempt(ctx) || errors.Is(err, asynq.SkipRetry)) {
			return fmt.Errorf("%w: %w", asynq.RevokeTask, err)
		}
		return err
	}
}

// Mux routes every task type to its handler, timing and counting every
// run (dargo_tasks_total, dargo_task_duration_seconds).
func Mux(h *Handlers) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	mux.Use(instrument)
	mux.HandleFunc(TypeEmailSend, h.HandleEmailSend)
	mux.HandleFunc(TypeBroadcastQueue, h.HandleBroadcastQueue)
	mux.HandleFunc(TypeOutboxLag, periodic(h.HandleOutboxLag))
	mux.HandleFunc(TypeSweepTokens, periodic(h.HandleSweepTokens))
	mux.HandleFunc(TypeSweepSessions, periodic(h.HandleSweepSessions))
	mux.HandleFunc(TypeSweepRetention, periodic(h.HandleSweepRetention))
	mux.HandleFunc(TypePrivacyDue, periodic(h.HandlePrivacyDue))
	mux.HandleFunc(TypeLifecycleSweep, periodic(h.HandleLifecycleSweep))
	mux.HandleFunc(TypeSLABreach, periodic(h.HandleSLABreach))
	return mux
}

// ParseRedisURL parses DARGO_REDIS_URL: redis:// and rediss://
// (redis://[:password@]host:port/db), redis-sentinel://host1,host2?master=name
// and redis-socket:// as asynq.ParseRedisURI does, and for a cluster
// redis-cluster://[user:password@]host1:port,host2:port (rediss-cluster://
// for TLS).
func ParseRedisURL(s string) (asynq.RedisConnOpt, error) {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || (scheme != "redis-cluster" && scheme != "rediss-cluster") {
		opt, err := asynq.ParseRedisURI(s)
		if err != nil {
			return nil, fmt.Errorf("jobs: redis url: %w", err)
		}
		return opt, nil
	}
	var opt asynq.RedisClusterClientOpt
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		info := rest[:at]
		rest = rest[at+1:]
		user, pass, hasPass := strings.Cut(info, ":")
		var err error
		if opt.Username, err = url.PathUnescape(user); err != nil {
			return nil, fmt.Errorf("jobs: redis url: %w", err)
		}
		if hasPass {
			if opt.Password, err = url.PathUnescape(pass); err != nil {
				return nil, fmt.Errorf("jobs: redis url: %w", err)
			}
		}
	}
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[:i]
	}
	for _, addr := range strings.Split(rest, ",") {
		if addr == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			addr = net.JoinHostPort(addr, "6379")
		}
		opt.Addrs = append(opt.Addrs, addr)
	}
	if len(opt.Addrs) == 0 {
		return nil, errors.New("jobs: redis url: cluster url without hosts")
	}
	if scheme == "rediss-cluster" {
		host, _, _ := net.SplitHostPort(opt.Addrs[0])
		opt.TLSConfig = &tls.Config{ServerName: host}
	}
	return opt, nil
}

// asynqLogger sends asynq's own messages to slog.
type asynqLogger struct{ log *slog.Logger }

func (l asynqLogger) Debug(args ...any) { l.log.Debug(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Info(args ...any)  { l.log.Info(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Warn(args ...any) {
	msg := fmt.Sprint(args...)
	if strings.HasPrefix(msg, "Retry exhausted for task") || strings.HasPrefix(msg, "revoke task") {
		return // the ErrorHandler has logged the failure
	}
	l.log.Warn(msg, "component", "asynq")
}
func (l asynqLogger) Error(args ...any) { l.log.Error(fmt.Sprint(args...), "component", "asynq") }
func (l asynqLogger) Fatal(args ...any) { l.log.Error(fmt.Sprint(args...), "component", "asynq") }

// RedisClient returns a go-redis client for the connection asynq uses,
// for what Dargo keeps in Redis itself (the send-rate limit).
func RedisClient(opt asynq.RedisConnOpt) redis.UniversalClient {
	return opt.MakeRedisClient().(redis.UniversalClient)
}
