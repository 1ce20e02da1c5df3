package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/jobs"
)

// benchRedis is the Redis the bench uses and how to leave it.
type benchRedis struct {
	opt   asynq.RedisConnOpt
	desc  string
	close func() error
}

// openRedis returns the bench's Redis. With no URL it runs an in-process
// stand-in (miniredis), as `dargo dev` does. With one, it uses database db
// (-1: the URL's) only when that database holds no key (a live Dargo worker
// or scheduler always keeps keys in its database, so an empty one is in
// nobody's use) and empties it again at the end, unless someone else
// came to use it meanwhile (see onlyBenchKeys). Redis Cluster is refused:
// it has no separate databases.
func openRedis(ctx context.Context, url string, db int) (*benchRedis, error) {
	if url == "" {
		if db >= 0 {
			return nil, errors.New("bench: --redis-db needs DARGO_REDIS_URL")
		}
		mr, err := miniredis.Run()
		if err != nil {
			return nil, fmt.Errorf("bench: in-process redis: %w", err)
		}
		return &benchRedis{opt: asynq.RedisClientOpt{Addr: mr.Addr()}, desc: "in-process stand-in (miniredis; DARGO_REDIS_URL is not set)",
			close: func() error { mr.Close(); return nil }}, nil
	}
	parsed, err := jobs.ParseRedisURL(url)
	if err != nil {
		return nil, fmt.Errorf("bench: DARGO_REDIS_URL: %w", err)
	}
	var where string
	switch o := parsed.(type) {
	case asynq.RedisClientOpt:
		if db >= 0 {
			o.DB = db
		}
		parsed, where = o, fmt.Sprintf("%s database %d", o.Addr, o.DB)
	case asynq.RedisFailoverClientOpt:
		if db >= 0 {
			o.DB = db
		}
		parsed, where = o, fmt.Sprintf("sentinel master %s database %d", o.MasterName, o.DB)
	default:
		return nil, errors.New("bench: Redis Cluster has no separate databases; point DARGO_REDIS_URL at a single Redis")
	}
	rdb := jobs.RedisClient(parsed)
	defer rdb.Close()
	keys, err := rdb.DBSize(ctx).Result()
	if err != nil {
		return nil, fmt.Errorf("bench: redis: %w", err)
	}
	if keys > 0 {
		return nil, fmt.Errorf("bench: Redis %s holds %d keys; the bench needs an empty database it can empty again (pass --redis-db N with an unused one)", where, keys)
	}
	return &benchRedis{opt: parsed, desc: where + " (was empty; emptied at the end)", close: func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		rdb := jobs.RedisClient(parsed)
		defer rdb.Close()
		if err := onlyBenchKeys(ctx, rdb); err != nil {
			return fmt.Errorf("bench: not emptying Redis %s, its keys are left as they are: %w", where, err)
		}
		if err := rdb.FlushDB(ctx).Err(); err != nil {
			return fmt.Errorf("bench: empty Redis %s: %w", where, err)
		}
		return nil
	}}, nil
}
