package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

var errDatabaseDown = errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")

// brokenStore is the real database with some calls failing, as they do
// while the database is down or an answer is lost.
type brokenStore struct {
	*store.DB
	stopReasonDown atomic.Bool
	markSentDown   atomic.Bool
	markSentLost   atomic.Int64 // commits, then loses the answer, this many times
	eraseOnClaim   atomic.Bool
}

func (b *brokenStore) StopReason(ctx context.Context, e *store.Email) (string, error) {
	if b.stopReasonDown.Load() {
		return "", errDatabaseDown
	}
	return b.DB.StopReason(ctx, e)
}

func (b *brokenStore) MarkEmailSent(ctx context.Context, id int64, s store.Sent) error {
	if b.markSentDown.Load() {
		return errDatabaseDown
	}
	err := b.DB.MarkEmailSent(ctx, id, s)
	if err == nil && b.markSentLost.Add(-1) >= 0 {
		return errors.New("read tcp 127.0.0.1:5432: connection reset by peer")
	}
	return err
}

func (b *brokenStore) ClaimSend(ctx context.Context, id int64, ttl time.Duration) (store.SendClaim, error) {
	if b.eraseOnClaim.Load() {
		for _, q := range []string{`DELETE FROM outbox WHERE email_id = ?`, `DELETE FROM emails WHERE id = ?`} {
			if _, err := b.DB.X.ExecContext(ctx, b.DB.X.Rebind(q), id); err != nil {
				return store.SendClaim{}, err
			}
		}
	}
	return b.DB.ClaimSend(ctx, id, ttl)
}

// brokenHandlers are e's handlers on a brokenStore.
func brokenHandlers(t *testing.T, e *env, stopping <-chan struct{}) (*jobs.Handlers, *brokenStore) {
	t.Helper()
	b := &brokenStore{DB: e.db}
	return jobs.NewHandlers(jobs.Opts{Store: b, Sender: e.sender, Outbound: benchOutbound, Secret: "jobs-test-secret",
		Redis: e.redis.Client(t), Stopping: stopping, Logger: quiet}), b
}

// TestEmailSendOutOfRetriesWithTheDatabaseDownIsRevoked: a task whose last
// retry fails because the database is down is dropped, not archived (an
// archived task keeps its TaskID), so the reconciliation can enqueue the
// still queued mail again.
func TestEmailSendOutOfRetriesWithTheDatabaseDownIsRevoked(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		skew := skewClock(e.db)
		id := queueConfirmation(t, e.db, "dbdown@customer.test")
		rows, err := e.db.OutboxDue(ctx, 10)
		if err != nil || len(rows) != 1 {
			t.Fatalf("pending = %v, %v", rows, err)
		}
		info, err := e.client.Enqueue(sendTask(t, id), asynq.TaskID(jobs.OutboxTaskID(rows[0].ID)), asynq.MaxRetry(0))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.MarkRelayed(ctx, []int64{rows[0].ID}); err != nil {
			t.Fatal(err)
		}
		h, b := brokenHandlers(t, e, nil)
		b.stopReasonDown.Store(true)
		e.handlers = h
		e.startWorker(t)
		waitFor(t, "the task done with", func() bool {
			got, err := e.inspector.GetTaskInfo(info.Queue, info.ID)
			return errors.Is(err, asynq.ErrTaskNotFound) || err == nil && got.State == asynq.TaskStateArchived
		})
		if got, err := e.inspector.GetTaskInfo(info.Queue, info.ID); !errors.Is(err, asynq.ErrTaskNotFound) {
			t.Fatalf("task = %+v, %v; want it dropped, not archived", got, err)
		}
		if got := email(t, e.db, id); got.Status != store.EmailQueued || e.sender.count() != 0 {
			t.Fatalf("email %s after %d sends; want queued, unsent", got.Status, e.sender.count())
		}

		b.stopReasonDown.Store(false)
		skew.Add(int64(jobs.StaleAfter + time.Second))
		if n, err := e.relay.Reconcile(ctx, e.db.Now().Add(-jobs.StaleAfter)); err != nil || n != 1 {
			t.Fatalf("Reconcile = %d, %v; want the mail enqueued again", n, err)
		}
		waitFor(t, "email sent", allStatus(t, e.db, []int64{id}, store.EmailSent))
		assertOncePerRecipient(t, e, 1)
	})
}

// TestEmailSendNotRecordedIsRecordedNotSentAgain: SES took the mail but
// the database could not record it. The task is retried, and the retry
// (right away, while the claim still holds) records the mail from the
// note in Redis without sending it again.
func TestEmailSendNotRecordedIsRecordedNotSentAgain(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := queueConfirmation(t, e.db, "unrecorded@customer.test")
		h, b := brokenHandlers(t, e, nil)
		b.markSentDown.Store(true)
		err := h.HandleEmailSend(ctx, sendTask(t, id))
		if err == nil || errors.Is(err, asynq.SkipRetry) || errors.Is(err, asynq.RevokeTask) {
			t.Fatalf("HandleEmailSend with the database down after the send = %v, want an error to retry", err)
		}
		if got := email(t, e.db, id); got.Status != store.EmailQueued || e.sender.count() != 1 {
			t.Fatalf("email %s after %d sends; want queued, sent once", got.Status, e.sender.count())
		}
		rc := e.redis.Client(t)
		key := fmt.Sprintf("dargo:sent:%d", id)
		if ttl, err := rc.TTL(ctx, key).Result(); err != nil || ttl <= 0 || ttl > 7*24*time.Hour {
			t.Fatalf("note %s ttl = %v, %v; want up to 7 days", key, ttl, err)
		}

		b.markSentDown.Store(false)
		for range 2 {
			if err := h.HandleEmailSend(ctx, sendTask(t, id)); err != nil {
				t.Fatalf("retry: %v", err)
			}
		}
		got := email(t, e.db, id)
		if got.Status != store.EmailSent || got.SESID != "0100018c1d2e3f4a-00000001-0000-000000" || got.HeaderID == "" {
			t.Errorf("email = %s ses_id %v header_id %v; want sent with the first send's ids", got.Status, got.SESID, got.HeaderID)
		}
		if c := e.sender.count(); c != 1 {
			t.Errorf("sender called %d times, want 1", c)
		}
		if err := rc.Get(ctx, key).Err(); !errors.Is(err, redis.Nil) {
			t.Errorf("note after recording: %v, want it deleted", err)
		}
	})
}

// TestEmailSendRecordedButAnswerLostIsDone: the update recording the send
// committed but its answer was lost; trying again finds the mail no
// longer queued, which is success, not a failure to archive.
func TestEmailSendRecordedButAnswerLostIsDone(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := queueConfirmation(t, e.db, "lostanswer@customer.test")
		h, b := brokenHandlers(t, e, nil)
		b.markSentLost.Store(1)
		if err := h.HandleEmailSend(ctx, sendTask(t, id)); err != nil {
			t.Fatalf("HandleEmailSend = %v, want nil", err)
		}
		if got := email(t, e.db, id); got.Status != store.EmailSent || e.sender.count() != 1 {
			t.Errorf("email %s after %d sends; want sent once", got.Status, e.sender.count())
		}
	})
}

// TestEmailSendOfAnErasedRowIsNotRetried: the row is erased between the
// task's start and its claim: nothing can ever be sent.
func TestEmailSendOfAnErasedRowIsNotRetried(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id := queueConfirmation(t, e.db, "erased@customer.test")
		h, b := brokenHandlers(t, e, nil)
		b.eraseOnClaim.Store(true)
		err := h.HandleEmailSend(context.Background(), sendTask(t, id))
		if !errors.Is(err, asynq.SkipRetry) || !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("HandleEmailSend = %v, want SkipRetry for a missing row", err)
		}
		if c := e.sender.count(); c != 0 {
			t.Errorf("sender called %d times", c)
		}
	})
}

// TestStoppingWorkerStartsNoSend: once the worker begins to shut down, a
// handler past the rate limit leaves the mail to a retry instead of
// starting an SES call the shutdown could cut off.
func TestStoppingWorkerStartsNoSend(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := queueConfirmation(t, e.db, "stopping@customer.test")
		stopping := make(chan struct{})
		close(stopping)
		h, _ := brokenHandlers(t, e, stopping)
		err := h.HandleEmailSend(ctx, sendTask(t, id))
		if err == nil || errors.Is(err, asynq.SkipRetry) || errors.Is(err, asynq.RevokeTask) {
			t.Fatalf("HandleEmailSend while stopping = %v, want an error to retry", err)
		}
		if got := email(t, e.db, id); got.Status != store.EmailQueued || got.Attempts != 0 || e.sender.count() != 0 {
			t.Fatalf("email %s attempts %d after %d sends; want queued, no attempt", got.Status, got.Attempts, e.sender.count())
		}
		if err := e.handlers.HandleEmailSend(ctx, sendTask(t, id)); err != nil {
			t.Fatalf("after the restart: %v", err)
		}
		assertOncePerRecipient(t, e, 1)
	})
}
