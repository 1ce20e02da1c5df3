package metrics_test

import (
	"testing"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/internal/testredis"
)

// queueRedisDB is this package's Redis database.
const queueRedisDB = 7

func TestQueueCollectorReadsAsynq(t *testing.T) {
	r := testredis.Open(t, queueRedisDB)
	rdb := r.Client(t)
	client := asynq.NewClientFromRedisClient(rdb)
	for _, id := range []string{"a", "b", "c"} {
		if _, err := client.Enqueue(asynq.NewTask("email:send", nil), asynq.Queue("critical"), asynq.TaskID(id)); err != nil {
			t.Fatal(err)
		}
	}
	c := metrics.NewQueueCollector(asynq.NewInspectorFromRedisClient(rdb), []string{"critical", "low"}, quiet)
	got := gather(t, c)
	for name, want := range map[string]float64{
		`dargo_queue_tasks{queue="critical",state="pending"}`:  3,
		`dargo_queue_tasks{queue="critical",state="archived"}`: 0,
		`dargo_queue_tasks{queue="low",state="pending"}`:       0, // not in Redis yet: empty
		`dargo_queue_paused{queue="critical"}`:                 0,
		`dargo_queue_latency_seconds{queue="low"}`:             0,
		`dargo_queue_scrape_error`:                             0,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", name, v, ok, want)
		}
	}
	if got[`dargo_queue_latency_seconds{queue="critical"}`] < 0 {
		t.Errorf("latency %v", got[`dargo_queue_latency_seconds{queue="critical"}`])
	}
}

// TestQueueCollectorRedisDown: with Redis gone a scrape still answers,
// saying so.
func TestQueueCollectorRedisDown(t *testing.T) {
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: "127.0.0.1:1"})
	defer insp.Close()
	got := gather(t, metrics.NewQueueCollector(insp, []string{"critical"}, quiet))
	if len(got) != 1 || got["dargo_queue_scrape_error"] != 1 {
		t.Errorf("redis down: %v", got)
	}
}
