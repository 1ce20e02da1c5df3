package bench

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/internal/testredis"
)

// benchRedisDB is the Redis database of this package's tests.
const benchRedisDB = 12

// benchKeys are keys of the kinds the bench's processes write.
var benchKeys = []string{"asynq:{default}:pending", "asynq:queues", "dargo:ses:rate", "dargo:presence:7", "rate:login:ip:0a1b2c"}

// TestBenchRedisEndCheck: at the end the bench empties its Redis database
// only when nobody else came to use it during the run; a foreign key, a
// live asynq worker or a registered scheduler leaves every key in place
// with an error that says why.
func TestBenchRedisEndCheck(t *testing.T) {
	cases := []struct {
		name    string
		foreign func(t *testing.T, r *testredis.Redis) // what someone else does during the run
		want    string                                 // in the error; "" for an emptied database
	}{
		{"only the bench's keys", func(*testing.T, *testredis.Redis) {}, ""},
		{"a foreign key", func(t *testing.T, r *testredis.Redis) {
			if err := r.Client(t).Set(context.Background(), "session:someone", "1", 0).Err(); err != nil {
				t.Fatal(err)
			}
		}, `keys the bench did not make ("session:someone")`},
		{"a live worker", startForeignWorker, "asynq:servers lists asynq:servers:{"},
		{"a scheduler", func(t *testing.T, r *testredis.Redis) {
			if err := r.Client(t).ZAdd(context.Background(), "asynq:schedulers", redis.Z{Score: float64(time.Now().Add(time.Hour).Unix()), Member: "otherhost:1:abc"}).Err(); err != nil {
				t.Fatal(err)
			}
		}, "asynq:schedulers lists otherhost:1:abc"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			r := testredis.Open(t, benchRedisDB)
			rds, err := openRedis(ctx, redisURL(r), -1)
			if err != nil {
				t.Fatal(err)
			}
			client := r.Client(t)
			for _, k := range benchKeys {
				if err := client.Set(ctx, k, "1", 0).Err(); err != nil {
					t.Fatal(err)
				}
			}
			c.foreign(t, r)
			before := client.DBSize(ctx).Val()
			err = rds.close()
			after := client.DBSize(ctx).Val()
			if c.want == "" {
				if err != nil || after != 0 {
					t.Errorf("close: %v, %d keys left; want nil and an empty database", err, after)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "not emptying Redis") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("close: %v; want a refusal naming %q", err, c.want)
			}
			if after < before || client.Exists(ctx, benchKeys...).Val() != int64(len(benchKeys)) {
				t.Errorf("keys after the refusal: %d of %d; want all left", after, before)
			}
		})
	}
}

// TestBenchRedisStartCheck: a live asynq worker on an otherwise idle
// database registers itself at once, so the start rule (no key at all)
// already keeps the bench off it.
func TestBenchRedisStartCheck(t *testing.T) {
	r := testredis.Open(t, benchRedisDB)
	startForeignWorker(t, r)
	_, err := openRedis(context.Background(), redisURL(r), -1)
	if err == nil || !strings.Contains(err.Error(), "--redis-db") {
		t.Errorf("openRedis beside a live worker: %v; want a refusal naming --redis-db", err)
	}
}

// startForeignWorker runs a real asynq server on r's database, as a
// `dargo worker` pointed there would, until the test ends, and waits until
// it has registered in asynq:servers.
func startForeignWorker(t *testing.T, r *testredis.Redis) {
	t.Helper()
	srv := asynq.NewServer(asynq.RedisClientOpt{Addr: r.Addr, DB: r.DB, Password: r.Password},
		asynq.Config{Concurrency: 1, LogLevel: asynq.FatalLevel})
	if err := srv.Start(asynq.HandlerFunc(func(context.Context, *asynq.Task) error { return nil })); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	client := r.Client(t)
	for deadline := time.Now().Add(10 * time.Second); client.ZCard(context.Background(), "asynq:servers").Val() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the worker did not register in asynq:servers within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func redisURL(r *testredis.Redis) string {
	u := url.URL{Scheme: "redis", Host: r.Addr, Path: fmt.Sprintf("/%d", r.DB)}
	if r.Password != "" {
		u.User = url.UserPassword("", r.Password)
	}
	return u.String()
}
