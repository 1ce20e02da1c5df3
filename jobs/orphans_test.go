package jobs_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// orphanRedisDB is the Redis database of the orphan test's second
// dialect, which runs beside the first (each waits out a 30 s lease).
const orphanRedisDB = 8

// startDoomedWorker runs the test binary as a worker (runDoomedWorker) on
// e's Redis and returns once it has taken a task, with that task's id.
func startDoomedWorker(t *testing.T, e *env) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childAddrEnv+"="+e.redis.Addr, fmt.Sprintf("%s=%d", childDBEnv, e.redis.DB), childPassEnv+"="+e.redis.Password)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if id, ok := strings.CutPrefix(lines.Text(), "active "); ok {
			return cmd, id
		}
	}
	t.Fatalf("worker process ended without taking a task: %v", lines.Err())
	return nil, ""
}

// TestOrphanedSendOfAKilledWorkerComesBackOnce: a worker is killed -9
// while its email:send task is active. Once the task's lease runs out the
// orphan check enqueues the mail again (once, however many workers look),
// it is sent, and the original task, when asynq's recoverer brings it
// back, sends nothing.
func TestOrphanedSendOfAKilledWorkerComesBackOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		rdb := redisDB
		if db.Dialect == store.Postgres {
			rdb = orphanRedisDB
		}
		e := newEnvOn(t, db, rdb)
		ctx := context.Background()
		id := queueConfirmation(t, db, "orphan@customer.test")
		if _, err := e.relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		child, taskID := startDoomedWorker(t, e)
		if want := outboxTaskID(t, e, id); taskID != want {
			t.Fatalf("worker took %s, want %s", taskID, want)
		}
		if err := child.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		child.Wait()

		checks := make([]*jobs.Orphans, 2) // two workers looking
		for i := range checks {
			checks[i] = jobs.NewOrphans(db, e.redisOpt, e.client, nil, quiet)
			t.Cleanup(func() { checks[i].Close() })
		}
		if n, err := checks[0].RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("RunOnce while the lease runs = %d, %v; want 0", n, err)
		}
		waitLong(t, "the orphaned task enqueued again", 2*time.Minute, 200*time.Millisecond, func() bool {
			n, err := checks[0].RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n == 1
		})
		if n, err := checks[1].RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("second worker's RunOnce = %d, %v; want 0 (the new task exists)", n, err)
		}
		again, err := e.inspector.GetTaskInfo(jobs.QueueDefault, jobs.RescueTaskID(taskID))
		if err != nil || again.State != asynq.TaskStatePending {
			t.Fatalf("task %s = %+v, %v; want pending", jobs.RescueTaskID(taskID), again, err)
		}
		// The new task tries and SES says "not now"; the original is still
		// orphaned, and the next looks must not create yet another task.
		c, err := db.ClaimSend(ctx, id, jobs.ClaimTTL)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.EndAttempt(ctx, id, c.Attempt, false); err != nil {
			t.Fatal(err)
		}
		for _, check := range checks {
			if n, err := check.RunOnce(ctx); err != nil || n != 0 {
				t.Fatalf("RunOnce after the new task's attempt = %d, %v; want 0", n, err)
			}
		}
		orig, err := e.inspector.GetTaskInfo(jobs.QueueDefault, taskID)
		if err != nil || orig.State != asynq.TaskStateActive {
			t.Fatalf("original task = %+v, %v; want still active (the recoverer has not run)", orig, err)
		}

		e.startWorker(t)
		waitFor(t, "email sent", allStatus(t, db, []int64{id}, store.EmailSent))
		// What the original task does when asynq's recoverer brings it back.
		if err := e.handlers.HandleEmailSend(ctx, asynq.NewTask(orig.Type, orig.Payload)); err != nil {
			t.Fatalf("original task run again: %v", err)
		}
		assertOncePerRecipient(t, e, 1)
		if got := email(t, db, id); got.Attempts != 2 || got.Interrupted != 0 {
			t.Errorf("email attempts %d interrupted %d; want 2, 0 (killed before the SES call, one refused attempt)", got.Attempts, got.Interrupted)
		}
	})
}
