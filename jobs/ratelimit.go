package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// RateKey is the Redis key of the send-rate limit that all worker replicas
// share (redis_rate stores it as "rate:" + RateKey).
const RateKey = "dargo:ses:rate"

// DefaultSendRate is the send rate, in mails per second, when neither
// DARGO_SES_MAX_RATE nor SES says otherwise: a sandbox account's.
const DefaultSendRate = 1.0

// LimiterOpts configures the send-rate limit.
type LimiterOpts struct {
	Redis redis.UniversalClient // required unless Unlimited
	// MaxRate is DARGO_SES_MAX_RATE in mails per second; 0 asks MaxSendRate.
	MaxRate float64
	// MaxSendRate asks SES GetAccount for the account's MaxSendRate; when
	// nil or failing the rate is DefaultSendRate.
	MaxSendRate func(ctx context.Context) (float64, error)
	// Unlimited turns the limit off: the dev outbox sends nothing anywhere.
	Unlimited bool
	Logger    *slog.Logger
}

// Limiter holds sends to a rate shared by every worker replica, with
// GCRA in Redis. A nil *Limiter is unlimited.
type Limiter struct {
	rl    *redis_rate.Limiter
	limit redis_rate.Limit
	rate  float64
}

// NewLimiter returns the limiter opts asks for, asking SES for the rate
// when MaxRate is 0. It returns nil when opts.Unlimited.
func NewLimiter(ctx context.Context, opts LimiterOpts) *Limiter {
	if opts.Unlimited {
		return nil
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	rate := opts.MaxRate
	if rate <= 0 && opts.MaxSendRate != nil {
		r, err := opts.MaxSendRate(ctx)
		if err != nil {
			log.Warn("could not read the SES send rate", "err", err, "rate", DefaultSendRate)
		}
		rate = r
	}
	if rate <= 0 || math.IsNaN(rate) || math.IsInf(rate, 0) {
		rate = DefaultSendRate
	}
	return &Limiter{rl: redis_rate.NewLimiter(opts.Redis), limit: limitFor(rate), rate: rate}
}

// limitFor turns mails per second into a redis_rate limit: n mails per
// period, which allows fractional rates such as SES's 0.5 or 14.5.
func limitFor(rate float64) redis_rate.Limit {
	n := max(1, int(rate))
	return redis_rate.Limit{Rate: n, Burst: n, Period: time.Duration(float64(n) / rate * float64(time.Second))}
}

// Rate returns the limit in mails per second, 0 when unlimited.
func (l *Limiter) Rate() float64 {
	if l == nil {
		return 0
	}
	return l.rate
}

// Allow takes one send from the limit if it has one now; otherwise it
// says how long until it will.
func (l *Limiter) Allow(ctx context.Context) (bool, time.Duration, error) {
	if l == nil {
		return true, 0, nil
	}
	res, err := l.rl.Allow(ctx, RateKey, l.limit)
	if err != nil {
		return false, 0, fmt.Errorf("jobs: rate limit: %w", err)
	}
	return res.Allowed > 0, res.RetryAfter, nil
}

// Wait blocks until a send is allowed or ctx is done.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		ok, after, err := l.Allow(ctx)
		if err != nil || ok {
			return err
		}
		if after <= 0 {
			after = 10 * time.Millisecond
		}
		t := time.NewTimer(after)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
