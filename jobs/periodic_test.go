package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// downStore is a database that cannot be read: every lag check fails.
type downStore struct {
	*store.DB
	calls atomic.Int32
}

func (s *downStore) MailLag(context.Context) (store.MailLag, error) {
	s.calls.Add(1)
	return store.MailLag{}, errors.New("connection refused")
}

// TestFailingPeriodicTaskIsRevokedNotArchived: a lag check that keeps
// failing is retried, then dropped: nothing lands in the archive, and the
// next scheduled run takes over.
func TestFailingPeriodicTaskIsRevokedNotArchived(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		down := &downStore{DB: e.db}
		e.handlers = jobs.NewHandlers(jobs.Opts{Store: down, Logger: quiet})
		info, err := e.client.Enqueue(jobs.NewOutboxLagTask())
		if err != nil {
			t.Fatal(err)
		}
		e.startWorker(t)
		waitFor(t, "the lag check tried and gone", func() bool {
			_, err := e.inspector.GetTaskInfo(info.Queue, info.ID)
			return errors.Is(err, asynq.ErrTaskNotFound)
		})
		if n := down.calls.Load(); n != jobs.PeriodicMaxRetry+1 {
			t.Errorf("lag check ran %d times, want %d (first run and every retry)", n, jobs.PeriodicMaxRetry+1)
		}
		q, err := e.inspector.GetQueueInfo(info.Queue)
		if err != nil {
			t.Fatal(err)
		}
		if q.Archived != 0 || q.Size != 0 {
			t.Errorf("queue %s = %d archived, %d tasks; want none", info.Queue, q.Archived, q.Size)
		}
	})
}

func TestRetryDelayWaitsForAClaimToRunOut(t *testing.T) {
	until := time.Now().Add(time.Hour)
	err := errors.Join(errors.New("context"), &jobs.SendClaimedError{EmailID: 7, Until: until})
	d := jobs.RetryDelay(0, err, nil)
	if d < 59*time.Minute || d > time.Hour+time.Minute {
		t.Errorf("RetryDelay for a mail claimed for an hour = %s, want about an hour (not 2 s)", d)
	}
	if d := jobs.RetryDelay(0, &jobs.SendClaimedError{Until: time.Now().Add(-time.Minute)}, nil); d <= 0 || d > 10*time.Second {
		t.Errorf("RetryDelay for a claim that ran out = %s, want a few seconds", d)
	}
}
