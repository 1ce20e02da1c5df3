package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// limiter keeps the login rate limits in Redis, so every web replica counts
// against the same budget (GCRA, via redis_rate).
type limiter struct {
	redis  redis.UniversalClient
	limits Limits
}

// ipBucket is the rate-limit key of a client address: the address, or
// for IPv6 its /64, which one customer line usually gets whole.
func ipBucket(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// allow spends one request of key's hourly budget perHour. It returns how
// long to wait when the budget is spent (0 when allowed).
func (l *limiter) allow(ctx context.Context, kind, key string, perHour int) (time.Duration, error) {
	rl := redis_rate.NewLimiter(l.redis)
	// Keys carry a hash, not the address or IP: Redis holds no personal data.
	sum := sha256.Sum256([]byte(key))
	res, err := rl.Allow(ctx, "login:"+kind+":"+hex.EncodeToString(sum[:12]), redis_rate.PerHour(perHour))
	if err != nil {
		return 0, fmt.Errorf("web: rate limit: %w", err)
	}
	if res.Allowed > 0 {
		return 0, nil
	}
	return res.RetryAfter, nil
}
