package jobs_test

import (
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/jobs"
)

func TestTwoSchedulersRegisterUniqueTasks(t *testing.T) {
	r := testredis.Open(t, redisDB)
	opt := asynq.RedisClientOpt{Addr: r.Addr, DB: r.DB, Password: r.Password}
	var schedulers []*asynq.Scheduler
	for range 2 {
		// As jobs.NewScheduler makes it, with a heartbeat quick enough
		// for the entries to show at once.
		s := asynq.NewScheduler(opt, &asynq.SchedulerOpts{HeartbeatInterval: 20 * time.Millisecond, Logger: quietAsynq{}})
		schedulers = append(schedulers, s)
		if err := jobs.RegisterSchedule(s); err != nil {
			t.Fatalf("RegisterSchedule: %v", err)
		}
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Shutdown)
	}
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	var entries []*asynq.SchedulerEntry
	waitFor(t, "scheduler entries", func() bool {
		entries, _ = insp.SchedulerEntries()
		return len(entries) == 2*len(jobs.Schedule)
	})
	want := map[string]string{
		jobs.TypeSweepTokens:    "*/5 * * * *",
		jobs.TypeSweepSessions:  "0 * * * *",
		jobs.TypeOutboxLag:      "* * * * *",
		jobs.TypeSweepRetention: "30 3 * * *",
		jobs.TypePrivacyDue:     "15 * * * *",
		jobs.TypeLifecycleSweep: "*/5 * * * *",
		jobs.TypeSLABreach:      "* * * * *",
	}
	for _, e := range entries {
		if want[e.Task.Type()] != e.Spec {
			t.Errorf("%s scheduled %q, want %q", e.Task.Type(), e.Spec, want[e.Task.Type()])
		}
		if !slices.ContainsFunc(e.Opts, func(o asynq.Option) bool { return o.Type() == asynq.UniqueOpt }) {
			t.Errorf("%s registered without Unique: %v", e.Task.Type(), e.Opts)
		}
	}

	// What both schedulers do when a spec fires: the second enqueue of each
	// task is a duplicate, so every sweep runs once. (Stopped and flushed
	// first, so that a minute boundary during the test changes nothing.)
	for _, s := range schedulers {
		s.Shutdown()
	}
	if err := r.Client(t).FlushDB(t.Context()).Err(); err != nil {
		t.Fatal(err)
	}
	c := asynq.NewClient(opt)
	defer c.Close()
	for _, p := range jobs.Schedule {
		for i := range 2 {
			_, err := c.Enqueue(p.Task(), asynq.Unique(p.Unique))
			if i == 0 && err != nil {
				t.Fatalf("%s: %v", p.Task().Type(), err)
			}
			if i == 1 && !errors.Is(err, asynq.ErrDuplicateTask) {
				t.Errorf("second scheduler's %s: err = %v, want ErrDuplicateTask", p.Task().Type(), err)
			}
		}
	}
	for queue, want := range map[string]int{jobs.QueueLow: 6, jobs.QueueDefault: 1} {
		q, err := insp.GetQueueInfo(queue)
		if err != nil || q.Pending != want {
			t.Errorf("queue %s = %+v, %v; want %d pending", queue, q, err, want)
		}
	}
}

func TestEveryTaskTypeHasAHandler(t *testing.T) {
	mux := jobs.Mux(jobs.NewHandlers(jobs.Opts{Logger: quiet}))
	types := []string{jobs.TypeEmailSend}
	for _, p := range jobs.Schedule {
		types = append(types, p.Task().Type())
	}
	sort.Strings(types)
	for _, typ := range types {
		if _, pattern := mux.Handler(asynq.NewTask(typ, nil)); pattern != typ {
			t.Errorf("no handler for %s (pattern %q)", typ, pattern)
		}
	}
}
