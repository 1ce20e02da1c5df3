package bench

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// benchKeyPrefixes are the prefixes of every key the bench's processes
// write: asynq's ("asynq:", hibiken/asynq internal/base), Dargo's own
// ("dargo:": jobs.RateKey, the sent notes, the web tier's presence) and the
// sign-in limiter's (redis_rate's "rate:" before web's "login:<kind>:").
var benchKeyPrefixes = []string{"asynq:", "dargo:", "rate:login:"}

// asynqRegistries are asynq's registries of live processes (ZSETs, one
// member per server or scheduler; hibiken/asynq internal/base AllServers and
// AllSchedulers). A server registers itself as it starts and again every
// few seconds, and removes itself when it stops.
var asynqRegistries = []string{"asynq:servers", "asynq:schedulers"}

// maxForeignShown bounds how many foreign keys an error names.
const maxForeignShown = 5

// onlyBenchKeys is the rule for emptying the bench's Redis database at the
// end: it holds nothing but what the bench made. The bench's own worker
// has stopped by then and so left asynq's registries; any member there is
// another process (a worker or scheduler pointed at this database during
// the run, or one that died without leaving), whose tasks the flush would
// lose. Any key outside the bench's prefixes was written by someone else.
func onlyBenchKeys(ctx context.Context, rdb redis.UniversalClient) error {
	for _, key := range asynqRegistries {
		members, err := rdb.ZRange(ctx, key, 0, maxForeignShown-1).Result()
		if err != nil {
			return fmt.Errorf("read %s: %w", key, err)
		}
		if len(members) > 0 {
			return fmt.Errorf("%s lists %s: another asynq process (a worker or scheduler) uses this database", key, strings.Join(members, ", "))
		}
	}
	var foreign []string
	iter := rdb.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) && len(foreign) < maxForeignShown {
		if !benchKey(iter.Val()) {
			foreign = append(foreign, fmt.Sprintf("%q", iter.Val()))
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("scan keys: %w", err)
	}
	if len(foreign) > 0 {
		return fmt.Errorf("it holds keys the bench did not make (%s): someone else uses this database", strings.Join(foreign, ", "))
	}
	return nil
}

// benchKey reports whether key has a prefix the bench's processes write.
func benchKey(key string) bool {
	for _, p := range benchKeyPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}
