package jobs_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// TestReconcileEnqueuesMailRedisLost: Redis restarted without its data
// after the relay handed the mail over; the reconciliation finds the mail
// still queued, enqueues it again, and it goes out once.
func TestReconcileEnqueuesMailRedisLost(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := queueConfirmation(t, e.db, "lost@customer.test")
		if n, err := e.relay.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		if err := e.redis.Client(t).FlushDB(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		var logs syncBuffer
		relay := jobs.NewRelay(e.db, e.client, slog.New(slog.NewTextHandler(&logs, nil)))
		n, err := relay.Reconcile(ctx, time.Now())
		if err != nil || n != 1 {
			t.Fatalf("Reconcile = %d, %v; want the lost task created again", n, err)
		}
		if out := logs.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "queued emails missing from Redis were enqueued again") || !strings.Contains(out, "count=1") {
			t.Errorf("log = %q, want the warning with count=1", out)
		}
		e.startWorker(t)
		waitFor(t, "email sent", allStatus(t, e.db, []int64{id}, store.EmailSent))
		assertOncePerRecipient(t, e, 1)
	})
}

// TestReconcileLeavesTasksRedisHas: the task is still in Redis, so the
// TaskID conflicts and nothing is doubled or logged.
func TestReconcileLeavesTasksRedisHas(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := queueConfirmation(t, e.db, "kept@customer.test")
		if _, err := e.relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		var logs syncBuffer
		relay := jobs.NewRelay(e.db, e.client, slog.New(slog.NewTextHandler(&logs, nil)))
		n, err := relay.Reconcile(ctx, time.Now())
		if err != nil || n != 0 {
			t.Fatalf("Reconcile = %d, %v; want 0 (the task exists)", n, err)
		}
		if logs.String() != "" {
			t.Errorf("logged %q for a task Redis still had", logs.String())
		}
		if q, err := e.inspector.GetQueueInfo(jobs.QueueDefault); err != nil || q.Size != 1 {
			t.Fatalf("default queue = %+v, %v; want one task", q, err)
		}
		e.startWorker(t)
		waitFor(t, "email sent", allStatus(t, e.db, []int64{id}, store.EmailSent))
		// Sent: the next look finds nothing, even with every row old enough.
		if n, err := relay.Reconcile(ctx, time.Now()); err != nil || n != 0 {
			t.Errorf("Reconcile after sending = %d, %v", n, err)
		}
		assertOncePerRecipient(t, e, 1)
	})
}

// TestRunReconcileStartsWithAllMail: a worker starting after Redis lost
// its data hands the queued mail over again at once, without the two
// minutes' wait.
func TestRunReconcileStartsWithAllMail(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var ids []int64
		for _, addr := range []string{"start1@customer.test", "start2@customer.test"} {
			ids = append(ids, queueConfirmation(t, e.db, addr))
		}
		if _, err := e.relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.redis.Client(t).FlushDB(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			// A batch of one: the first look goes on until it has seen all.
			relay := jobs.NewRelay(e.db, e.client, quiet)
			jobs.SetReconcileBatch(relay, 1)
			relay.RunReconcile(runCtx, time.Hour)
		}()
		t.Cleanup(func() { stop(); <-done })
		e.startWorker(t)
		waitFor(t, "emails sent", allStatus(t, e.db, ids, store.EmailSent))
		assertOncePerRecipient(t, e, 2)
	})
}

// TestReconcileLooksAtOneBatch: one look takes at most a batch of rows;
// the rest come up on the next.
func TestReconcileLooksAtOneBatch(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for _, addr := range []string{"batch1@customer.test", "batch2@customer.test", "batch3@customer.test"} {
			queueConfirmation(t, e.db, addr)
		}
		if _, err := e.relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.redis.Client(t).FlushDB(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		relay := jobs.NewRelay(e.db, e.client, quiet)
		jobs.SetReconcileBatch(relay, 2)
		for i, want := range []int{2, 1} {
			if n, err := relay.Reconcile(ctx, time.Now()); err != nil || n != want {
				t.Fatalf("look %d: Reconcile = %d, %v; want %d", i+1, n, err, want)
			}
		}
	})
}

// stuckReconcileStore is the database with a reconciliation that never
// ends (a huge backlog, a slow query).
type stuckReconcileStore struct {
	*store.DB
	entered chan struct{}
	once    sync.Once
}

func (s *stuckReconcileStore) StaleRelayed(ctx context.Context, _ time.Time, _ time.Duration, _ int) ([]store.OutboxRow, error) {
	s.once.Do(func() { close(s.entered) })
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestRelayDoesNotWaitForReconciliation: new mail is relayed while a
// reconciliation look is still running.
func TestRelayDoesNotWaitForReconciliation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s := &stuckReconcileStore{DB: e.db, entered: make(chan struct{})}
		relay := jobs.NewRelay(s, e.client, quiet)
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { relay.Run(ctx, 10*time.Millisecond) })
		wg.Go(func() { relay.RunReconcile(ctx, time.Hour) })
		t.Cleanup(func() { stop(); wg.Wait() })
		<-s.entered
		queueConfirmation(t, e.db, "new@customer.test")
		waitFor(t, "the new mail relayed", func() bool { return pending(t, e.db) == 0 })
	})
}
