package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/jobs"
)

func TestLimiterIsSharedAcrossReplicas(t *testing.T) {
	r := testredis.Open(t, redisDB)
	ctx := context.Background()
	const rate = 5
	replicas := []*jobs.Limiter{
		jobs.NewLimiter(ctx, jobs.LimiterOpts{Redis: r.Client(t), MaxRate: rate}),
		jobs.NewLimiter(ctx, jobs.LimiterOpts{Redis: r.Client(t), MaxRate: rate}),
	}
	start := time.Now()
	allowed := 0
	for i := range 40 {
		ok, after, err := replicas[i%2].Allow(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			allowed++
		} else if after <= 0 {
			t.Errorf("denied without a retry-after")
		}
	}
	// The burst, plus what the rate refilled while the loop ran (a slow,
	// race-instrumented run may take a while): never 40, never 2×5.
	limit := rate + int(time.Since(start).Seconds()*rate) + 1
	if allowed < 1 || allowed > limit {
		t.Errorf("two replicas at %d/s allowed %d of 40 at once, want 1..%d", rate, allowed, limit)
	}
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	r := testredis.Open(t, redisDB)
	l := jobs.NewLimiter(context.Background(), jobs.LimiterOpts{Redis: r.Client(t), MaxRate: 0.001})
	ctx, cancel := context.WithCancel(context.Background())
	if err := l.Wait(ctx); err != nil {
		t.Fatalf("first Wait = %v", err)
	}
	cancel()
	if err := l.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on an exhausted limit with a cancelled context = %v", err)
	}
}

func TestNewLimiterRate(t *testing.T) {
	r := testredis.Open(t, redisDB)
	ses := func(rate float64, err error) func(context.Context) (float64, error) {
		return func(context.Context) (float64, error) { return rate, err }
	}
	tests := []struct {
		name string
		opts jobs.LimiterOpts
		want float64
	}{
		{"configured", jobs.LimiterOpts{MaxRate: 14.5, MaxSendRate: ses(50, nil)}, 14.5},
		{"from SES", jobs.LimiterOpts{MaxSendRate: ses(50, nil)}, 50},
		{"SES fails", jobs.LimiterOpts{MaxSendRate: ses(0, errors.New("AccessDenied"))}, jobs.DefaultSendRate},
		{"nothing known", jobs.LimiterOpts{}, jobs.DefaultSendRate},
		{"dev outbox", jobs.LimiterOpts{Unlimited: true, MaxRate: 3}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Redis = r.Client(t)
			tt.opts.Logger = quiet
			l := jobs.NewLimiter(context.Background(), tt.opts)
			if got := l.Rate(); got != tt.want {
				t.Errorf("Rate() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUnlimitedLimiterNeverWaits(t *testing.T) {
	var l *jobs.Limiter // what NewLimiter returns for the dev outbox
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 100 {
		if err := l.Wait(ctx); err != nil {
			t.Fatalf("Wait = %v", err)
		}
	}
}
