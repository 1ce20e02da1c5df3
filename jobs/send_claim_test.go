package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/outbound"
	"github.com/dargo-support/dargo/store"
)

// skewClock makes db.Now run ahead of the wall clock by what the test adds.
func skewClock(db *store.DB) *atomic.Int64 {
	var skew atomic.Int64
	now := db.Now
	db.Now = func() time.Time { return now().Add(time.Duration(skew.Load())) }
	return &skew
}

// handlersWith returns the handlers of e with another sender and logger.
func handlersWith(e *env, sender jobs.Sender, log *slog.Logger) *jobs.Handlers {
	return jobs.NewHandlers(jobs.Opts{Store: e.db, Sender: sender, Outbound: benchOutbound, Secret: "jobs-test-secret", Logger: log})
}

// killedInSES blocks inside Send until the test abandons the handler's
// context, then ends the handler's goroutine where it stands, as a kill
// would: nothing after the SES call runs, so the claim stays.
type killedInSES struct{ entered chan struct{} }

func (k killedInSES) Send(ctx context.Context, _ string, _ []string, _ []byte) (string, error) {
	close(k.entered)
	<-ctx.Done()
	runtime.Goexit()
	return "", nil
}

func TestEmailSendCutOffInsideSESIsRetriedAndFlagged(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		skew := skewClock(e.db)
		id := queueConfirmation(t, e.db, "cutoff@customer.test")

		// The first worker claims the mail and dies inside the SES call.
		dying := killedInSES{entered: make(chan struct{})}
		ctx, kill := context.WithCancel(context.Background())
		gone := make(chan struct{})
		go func() {
			defer close(gone)
			handlersWith(e, dying, quiet).HandleEmailSend(ctx, sendTask(t, id))
		}()
		<-dying.entered
		if got := email(t, e.db, id); got.Attempts != 1 || got.SendingAt == nil {
			t.Fatalf("inside SES: attempts %d sending_at %v; want the attempt recorded before the call", got.Attempts, got.SendingAt)
		}
		kill()
		<-gone

		// A second worker while the claim is fresh leaves the mail alone
		// and is retried when the claim runs out.
		err := e.handlers.HandleEmailSend(context.Background(), sendTask(t, id))
		var claimed *jobs.SendClaimedError
		if !errors.As(err, &claimed) || !errors.Is(err, store.ErrSendClaimed) || claimed.EmailID != id {
			t.Fatalf("HandleEmailSend while claimed = %v, want *SendClaimedError", err)
		}
		if sa := email(t, e.db, id).SendingAt; sa == nil || !claimed.Until.Equal(sa.Add(jobs.ClaimTTL)) {
			t.Errorf("claim until %s, want sending_at %v + %s", claimed.Until, sa, jobs.ClaimTTL)
		}
		if c := e.sender.count(); c != 0 {
			t.Fatalf("sent %d times while another attempt held the claim", c)
		}

		// After the claim's time to live the retry takes over, sends, and
		// says the mail may have gone twice.
		skew.Add(int64(jobs.ClaimTTL + time.Second))
		var logs syncBuffer
		h := handlersWith(e, e.sender, slog.New(slog.NewTextHandler(&logs, nil)))
		if err := h.HandleEmailSend(context.Background(), sendTask(t, id)); err != nil {
			t.Fatalf("retry: %v", err)
		}
		got := email(t, e.db, id)
		if got.Status != store.EmailSent || got.Attempts != 2 || got.Interrupted != 1 || got.SendingAt != nil {
			t.Errorf("email = %s attempts %d interrupted %d sending_at %v; want sent, 2, 1, cleared", got.Status, got.Attempts, got.Interrupted, got.SendingAt)
		}
		if c := e.sender.count(); c != 1 {
			t.Errorf("sender called %d times, want 1", c)
		}
		out := logs.String()
		for _, want := range []string{"level=WARN", "email may be sent twice: an earlier attempt was cut off inside the SES call", "email_id=", "attempt=2"} {
			if !strings.Contains(out, want) {
				t.Errorf("log lacks %q:\n%s", want, out)
			}
		}
	})
}

// sesServer is an in-test SES v2 endpoint answering every request with
// handle, and a real SES client on it that does not retry.
func sesServer(t *testing.T, handle http.HandlerFunc) *outbound.SES {
	t.Helper()
	srv := httptest.NewServer(handle)
	t.Cleanup(srv.Close)
	return outbound.NewSES(sesv2.New(sesv2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
		Retryer: aws.NopRetryer{},
	}))
}

// sesError answers as SES does when it refuses a request.
func sesError(status int, errType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Amzn-ErrorType", errType)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, `{"message":"no"}`)
	}
}

// dropConnection reads the request and closes the connection unanswered:
// SES may or may not have taken the mail.
func dropConnection(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

// TestEmailSendCountsOnlyAnUnknownOutcomeAsInterrupted: an answer from SES
// means the mail is not out; a broken connection leaves it unknown, and
// the next attempt warns that it may double the mail.
func TestEmailSendCountsOnlyAnUnknownOutcomeAsInterrupted(t *testing.T) {
	tests := []struct {
		name        string
		ses         http.HandlerFunc
		status      string
		interrupted int
	}{
		{"refused", sesError(400, "MessageRejected"), store.EmailFailed, 0},
		{"throttled", sesError(429, "TooManyRequestsException"), store.EmailQueued, 0},
		// SES may have failed after taking the mail.
		{"internal failure", sesError(500, "InternalFailure"), store.EmailQueued, 1},
		{"connection dropped", dropConnection, store.EmailQueued, 1},
	}
	each(t, func(t *testing.T, e *env) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				id := queueConfirmation(t, e.db, strings.ReplaceAll(tt.name, " ", "-")+"@customer.test")
				if err := handlersWith(e, sesServer(t, tt.ses), quiet).HandleEmailSend(ctx, sendTask(t, id)); err == nil {
					t.Fatal("HandleEmailSend = nil, want the send's error")
				}
				got := email(t, e.db, id)
				if got.Status != tt.status || got.Attempts != 1 || got.Interrupted != tt.interrupted || got.SendingAt != nil {
					t.Fatalf("email = %s attempts %d interrupted %d sending_at %v; want %s, 1, %d, cleared",
						got.Status, got.Attempts, got.Interrupted, got.SendingAt, tt.status, tt.interrupted)
				}
				if tt.status != store.EmailQueued {
					return
				}
				// The claim was cleared: the next attempt need not wait, and
				// warns only when the mail may be out already.
				var logs syncBuffer
				if err := handlersWith(e, e.sender, slog.New(slog.NewTextHandler(&logs, nil))).HandleEmailSend(ctx, sendTask(t, id)); err != nil {
					t.Fatalf("next attempt: %v", err)
				}
				if got := email(t, e.db, id); got.Status != store.EmailSent || got.Attempts != 2 {
					t.Errorf("after the next attempt: %s, attempts %d", got.Status, got.Attempts)
				}
				if warned := strings.Contains(logs.String(), "may be sent twice"); warned != (tt.interrupted > 0) {
					t.Errorf("warned %v, want %v:\n%s", warned, tt.interrupted > 0, logs.String())
				}
			})
		}
	})
}

// TestClaimedMailOutOfRetriesIsLeftToReconciliation: a task that finds the
// mail claimed on its last retry is dropped, not archived, so that once
// the claim has run out (its attempt was killed) the reconciliation can
// enqueue the mail again under its outbox TaskID.
func TestClaimedMailOutOfRetriesIsLeftToReconciliation(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		skew := skewClock(e.db)
		id := queueConfirmation(t, e.db, "claimed@customer.test")
		rows, err := e.db.OutboxDue(ctx, 10)
		if err != nil || len(rows) != 1 {
			t.Fatalf("pending = %v, %v", rows, err)
		}
		// Another worker is inside the SES call (and will die there).
		if _, err := e.db.ClaimSend(ctx, id, jobs.ClaimTTL); err != nil {
			t.Fatal(err)
		}
		info, err := e.client.Enqueue(sendTask(t, id), asynq.TaskID(jobs.OutboxTaskID(rows[0].ID)), asynq.MaxRetry(0))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.MarkRelayed(ctx, []int64{rows[0].ID}); err != nil {
			t.Fatal(err)
		}
		e.startWorker(t)
		waitFor(t, "the task dropped", func() bool {
			_, err := e.inspector.GetTaskInfo(info.Queue, info.ID)
			return errors.Is(err, asynq.ErrTaskNotFound)
		})
		if q, err := e.inspector.GetQueueInfo(info.Queue); err != nil || q.Archived != 0 {
			t.Fatalf("queue = %+v, %v; want nothing archived", q, err)
		}
		if got := email(t, e.db, id); got.Status != store.EmailQueued || e.sender.count() != 0 {
			t.Fatalf("email %s after %d sends; want queued, unsent", got.Status, e.sender.count())
		}

		skew.Add(int64(jobs.StaleAfter + jobs.ClaimTTL))
		if n, err := e.relay.Reconcile(ctx, e.db.Now().Add(-jobs.StaleAfter)); err != nil || n != 1 {
			t.Fatalf("Reconcile = %d, %v; want the mail enqueued again", n, err)
		}
		waitFor(t, "email sent", allStatus(t, e.db, []int64{id}, store.EmailSent))
		if got := email(t, e.db, id); got.Attempts != 2 || got.Interrupted != 1 {
			t.Errorf("attempts %d interrupted %d; want 2, 1", got.Attempts, got.Interrupted)
		}
		assertOncePerRecipient(t, e, 1)
	})
}
