package jobs_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

func TestParseRedisURL(t *testing.T) {
	tests := []struct {
		url  string
		want asynq.RedisConnOpt
	}{
		{"redis://127.0.0.1:6379/3", asynq.RedisClientOpt{Addr: "127.0.0.1:6379", DB: 3}},
		{"redis://:secret@redis.internal:6380", asynq.RedisClientOpt{Addr: "redis.internal:6380", Password: "secret"}},
		{"redis-sentinel://s1:26379,s2:26379?master=dargo", asynq.RedisFailoverClientOpt{MasterName: "dargo", SentinelAddrs: []string{"s1:26379", "s2:26379"}}},
		{"redis-cluster://n1:7000,n2:7001,n3", asynq.RedisClusterClientOpt{Addrs: []string{"n1:7000", "n2:7001", "n3:6379"}}},
		{"redis-cluster://dargo:p%40ss@n1:7000,n2:7001/", asynq.RedisClusterClientOpt{Addrs: []string{"n1:7000", "n2:7001"}, Username: "dargo", Password: "p@ss"}},
	}
	for _, tt := range tests {
		got, err := jobs.ParseRedisURL(tt.url)
		if err != nil {
			t.Errorf("ParseRedisURL(%q): %v", tt.url, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseRedisURL(%q) = %#v, want %#v", tt.url, got, tt.want)
		}
	}
	tls, err := jobs.ParseRedisURL("rediss-cluster://n1:7000")
	if c, ok := tls.(asynq.RedisClusterClientOpt); err != nil || !ok || c.TLSConfig == nil || c.TLSConfig.ServerName != "n1" {
		t.Errorf("rediss-cluster = %#v, %v; want TLS for n1", tls, err)
	}
	for _, bad := range []string{"http://x", "redis-cluster://", "redis://h/notadb", "127.0.0.1:6379"} {
		if _, err := jobs.ParseRedisURL(bad); err == nil {
			t.Errorf("ParseRedisURL(%q) accepted", bad)
		}
	}
}

func TestRetryDelayBacksOffWithJitterAndCap(t *testing.T) {
	prev := time.Duration(0)
	for n := range 20 {
		base := min(2*time.Second<<n, 10*time.Minute)
		for range 50 {
			d := jobs.RetryDelay(n, nil, nil)
			if d < base*3/4 || d > base*5/4 {
				t.Fatalf("RetryDelay(%d) = %s, want within 25%% of %s", n, d, base)
			}
		}
		if base < prev {
			t.Fatalf("backoff shrank at retry %d", n)
		}
		prev = base
	}
	total := time.Duration(0)
	for n := range jobs.EmailMaxRetry {
		total += min(2*time.Second<<n, 10*time.Minute)
	}
	if total < 30*time.Minute || total > 3*time.Hour {
		t.Errorf("retries span %s; want roughly an hour", total)
	}
}

func TestQueueFor(t *testing.T) {
	for kind, want := range map[string]string{
		store.EmailMagicLink:    jobs.QueueCritical,
		store.EmailConfirmation: jobs.QueueDefault,
		store.EmailReply:        jobs.QueueDefault,
		store.EmailStatus:       jobs.QueueDefault,
		"digest":                jobs.QueueLow,
	} {
		if got := jobs.QueueFor(kind); got != want {
			t.Errorf("QueueFor(%s) = %s, want %s", kind, got, want)
		}
	}
	task, err := jobs.NewEmailSendTask(7, store.EmailMagicLink)
	if err != nil || string(task.Payload()) != `{"email_id":7}` {
		t.Fatalf("NewEmailSendTask = %s, %v", task.Payload(), err)
	}
}

func TestNewServerRunsTheMux(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		srv := jobs.NewServer(e.redisOpt, 2, nil, quiet)
		if err := srv.Start(jobs.Mux(e.handlers)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Shutdown)
		id := queueConfirmation(t, e.db, "server@customer.test")
		if n, err := e.relay.RunOnce(t.Context()); err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		if _, err := e.client.Enqueue(jobs.NewSweepTokensTask()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "email sent", allStatus(t, e.db, []int64{id}, store.EmailSent))
		waitFor(t, "sweep done", func() bool {
			q, err := e.inspector.GetQueueInfo(jobs.QueueLow)
			return err == nil && q.Processed == 1
		})
	})
}
