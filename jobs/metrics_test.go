package jobs_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// The metrics are globals shared by every test of the package: these tests
// measure them before and after, and none of them runs in parallel.

func mails(kind, status string) float64 {
	return testutil.ToFloat64(metrics.OutboundMails.WithLabelValues(kind, status))
}

func tasks(typ, outcome string) float64 {
	return testutil.ToFloat64(metrics.Tasks.WithLabelValues(typ, outcome))
}

func sesErrors(class string) float64 {
	return testutil.ToFloat64(metrics.SESErrors.WithLabelValues(class))
}

// samples is the sample count of the histogram family name in the series
// whose labels include the given name/value pairs, as a scrape of the
// worker's registry reads it.
func samples(t *testing.T, name string, labels ...string) uint64 {
	t.Helper()
	mfs, err := metrics.NewRegistry([][]prometheus.Collector{metrics.Worker}).Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					found = found || lp.GetName() == labels[i] && lp.GetValue() == labels[i+1]
				}
				if !found {
					continue series
				}
			}
			n += m.GetHistogram().GetSampleCount()
		}
	}
	return n
}

// TestMetricsMailSentThroughTheWorker: a mail relayed and sent by the
// worker counts once as sent under its kind, and its task run once as ok,
// timed.
func TestMetricsMailSentThroughTheWorker(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		sent, ok := mails(store.EmailConfirmation, "sent"), tasks(jobs.TypeEmailSend, "ok")
		timed := samples(t, "dargo_task_duration_seconds", "type", jobs.TypeEmailSend)
		id := queueConfirmation(t, e.db, "counted@customer.test")
		if _, err := e.relay.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		e.startWorker(t)
		waitFor(t, "email sent", allStatus(t, e.db, []int64{id}, store.EmailSent))
		waitFor(t, "task counted", func() bool { return tasks(jobs.TypeEmailSend, "ok") > ok })
		if d := mails(store.EmailConfirmation, "sent") - sent; d != 1 {
			t.Errorf("outbound mails {confirmation, sent} +%v, want +1", d)
		}
		if d := tasks(jobs.TypeEmailSend, "ok") - ok; d != 1 {
			t.Errorf("tasks {email:send, ok} +%v, want +1", d)
		}
		if d := samples(t, "dargo_task_duration_seconds", "type", jobs.TypeEmailSend) - timed; d != 1 {
			t.Errorf("task duration samples +%d, want +1", d)
		}
	})
}

// TestMetricsMailRejectedBySES: SES refusing the mail for good fails it:
// counted failed, and the SES call a permanent error, timed.
func TestMetricsMailRejectedBySES(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		h := jobs.NewHandlers(jobs.Opts{Store: e.db, Sender: sesServer(t, sesError(400, "MessageRejected")), Outbound: benchOutbound, Logger: quiet})
		failed, permanent, timed := mails(store.EmailConfirmation, "failed"), sesErrors("permanent"), samples(t, "dargo_ses_send_duration_seconds")
		id := queueConfirmation(t, e.db, "rejected@customer.test")
		if err := h.HandleEmailSend(t.Context(), sendTask(t, id)); !errors.Is(err, asynq.SkipRetry) {
			t.Fatalf("HandleEmailSend = %v, want SkipRetry", err)
		}
		if got := email(t, e.db, id); got.Status != store.EmailFailed {
			t.Errorf("status = %s, want failed", got.Status)
		}
		if d := mails(store.EmailConfirmation, "failed") - failed; d != 1 {
			t.Errorf("outbound mails {confirmation, failed} +%v, want +1", d)
		}
		if d := sesErrors("permanent") - permanent; d != 1 {
			t.Errorf("SES errors {permanent} +%v, want +1", d)
		}
		if d := samples(t, "dargo_ses_send_duration_seconds") - timed; d != 1 {
			t.Errorf("SES send duration samples +%d, want +1", d)
		}
	})
}

// TestMetricsMailThrottledBySES: SES asking to slow down leaves the mail
// queued for a retry: counted retry, and the SES call throttled.
func TestMetricsMailThrottledBySES(t *testing.T) {
	for _, tt := range []struct {
		name    string
		status  int
		errType string
	}{
		{"429", http.StatusTooManyRequests, "TooManyRequestsException"},
		{"400 ThrottlingException", http.StatusBadRequest, "ThrottlingException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			each(t, func(t *testing.T, e *env) {
				h := jobs.NewHandlers(jobs.Opts{Store: e.db, Sender: sesServer(t, sesError(tt.status, tt.errType)), Outbound: benchOutbound, Logger: quiet})
				retry, throttled, timed := mails(store.EmailConfirmation, "retry"), sesErrors("throttled"), samples(t, "dargo_ses_send_duration_seconds")
				id := queueConfirmation(t, e.db, "throttled@customer.test")
				err := h.HandleEmailSend(t.Context(), sendTask(t, id))
				if err == nil || errors.Is(err, asynq.SkipRetry) || errors.Is(err, asynq.RevokeTask) {
					t.Fatalf("HandleEmailSend = %v, want an error to retry", err)
				}
				if got := email(t, e.db, id); got.Status != store.EmailQueued {
					t.Errorf("status = %s, want queued", got.Status)
				}
				if d := mails(store.EmailConfirmation, "retry") - retry; d != 1 {
					t.Errorf("outbound mails {confirmation, retry} +%v, want +1", d)
				}
				if d := sesErrors("throttled") - throttled; d != 1 {
					t.Errorf("SES errors {throttled} +%v, want +1", d)
				}
				if d := samples(t, "dargo_ses_send_duration_seconds") - timed; d != 1 {
					t.Errorf("SES send duration samples +%d, want +1", d)
				}
			})
		})
	}
}

// TestMetricsMailToSuppressedAddress: a mail to a suppressed address is
// not sent and counts as suppressed.
func TestMetricsMailToSuppressedAddress(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		suppressed, sent := mails(store.EmailConfirmation, "suppressed"), mails(store.EmailConfirmation, "sent")
		id := queueConfirmation(t, e.db, "bounced@customer.test")
		if err := e.db.Suppress(t.Context(), "bounced@customer.test", "bounce", "ses"); err != nil {
			t.Fatal(err)
		}
		if err := e.handlers.HandleEmailSend(t.Context(), sendTask(t, id)); err != nil {
			t.Fatalf("HandleEmailSend = %v", err)
		}
		if c := e.sender.count(); c != 0 {
			t.Errorf("sender called %d times", c)
		}
		if d := mails(store.EmailConfirmation, "suppressed") - suppressed; d != 1 {
			t.Errorf("outbound mails {confirmation, suppressed} +%v, want +1", d)
		}
		if d := mails(store.EmailConfirmation, "sent") - sent; d != 0 {
			t.Errorf("outbound mails {confirmation, sent} +%v, want +0", d)
		}
	})
}

// TestMetricsTaskOutcomes runs tasks through an asynq server on Redis with
// the worker's middleware: each run is counted by what asynq does next,
// under its type ("other" for a type the worker does not know), and timed.
func TestMetricsTaskOutcomes(t *testing.T) {
	const unknown = "test:unknown"
	r := testredis.Open(t, redisDB)
	opt := asynq.RedisClientOpt{Addr: r.Addr, DB: r.DB, Password: r.Password}
	mux := asynq.NewServeMux()
	mux.Use(jobs.Instrument)
	mux.HandleFunc(jobs.TypeOutboxLag, func(context.Context, *asynq.Task) error { return nil })
	mux.HandleFunc(jobs.TypeSweepTokens, func(context.Context, *asynq.Task) error { return errors.New("database is locked") })
	mux.HandleFunc(jobs.TypeSweepSessions, func(context.Context, *asynq.Task) error { panic("bug") })
	mux.HandleFunc(jobs.TypeSweepRetention, func(context.Context, *asynq.Task) error {
		return errors.Join(asynq.SkipRetry, errors.New("cannot ever work for ada.lovelace@example.com"))
	})

	type count struct{ typ, outcome string }
	want := map[count]float64{
		{jobs.TypeOutboxLag, "ok"}:          1,
		{jobs.TypeSweepTokens, "retry"}:     1, // its first run; the second is its last
		{jobs.TypeSweepTokens, "failed"}:    1,
		{jobs.TypeSweepSessions, "panic"}:   1,
		{jobs.TypeSweepRetention, "failed"}: 1, // SkipRetry with retries left
		{"other", "failed"}:                 1, // no handler
		{jobs.TypeOutboxLag, "failed"}:      0,
		{jobs.TypeSweepSessions, "retry"}:   0,
		{jobs.TypeSweepSessions, "failed"}:  0,
		{jobs.TypeSweepRetention, "retry"}:  0,
		{jobs.TypeSweepTokens, "ok"}:        0,
	}
	wantTimed := map[string]uint64{jobs.TypeOutboxLag: 1, jobs.TypeSweepTokens: 2, jobs.TypeSweepSessions: 1, jobs.TypeSweepRetention: 1, "other": 1}
	before := map[count]float64{}
	for c := range want {
		before[c] = tasks(c.typ, c.outcome)
	}
	timedBefore := map[string]uint64{}
	for typ := range wantTimed {
		timedBefore[typ] = samples(t, "dargo_task_duration_seconds", "type", typ)
	}

	client := asynq.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	for _, task := range []*asynq.Task{
		asynq.NewTask(jobs.TypeOutboxLag, nil, asynq.MaxRetry(3)),
		asynq.NewTask(jobs.TypeSweepTokens, nil, asynq.MaxRetry(1)),
		asynq.NewTask(jobs.TypeSweepSessions, nil, asynq.MaxRetry(0)),
		asynq.NewTask(jobs.TypeSweepRetention, nil, asynq.MaxRetry(3)),
		asynq.NewTask(unknown, nil, asynq.MaxRetry(0)),
	} {
		if _, err := client.Enqueue(task, asynq.Queue(jobs.QueueLow)); err != nil {
			t.Fatal(err)
		}
	}
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency:              2,
		Queues:                   jobs.DefaultQueues,
		RetryDelayFunc:           func(int, error, *asynq.Task) time.Duration { return 10 * time.Millisecond },
		DelayedTaskCheckInterval: 50 * time.Millisecond,
		TaskCheckInterval:        20 * time.Millisecond,
		Logger:                   quietAsynq{},
		LogLevel:                 asynq.FatalLevel,
	})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	inspector := asynq.NewInspector(opt)
	t.Cleanup(func() { inspector.Close() })
	waitFor(t, "every task done or archived", func() bool {
		q, err := inspector.GetQueueInfo(jobs.QueueLow)
		return err == nil && q.Archived == 4 && q.Pending+q.Active+q.Scheduled+q.Retry == 0
	})
	// The error asynq keeps with an archived task (shown on /admin/queues)
	// carries no address.
	archived, err := inspector.ListArchivedTasks(jobs.QueueLow)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range archived {
		if a.Type == jobs.TypeSweepRetention && (strings.Contains(a.LastErr, "@") || !strings.Contains(a.LastErr, "cannot ever work for [email]")) {
			t.Errorf("archived %s keeps the error %q", a.Type, a.LastErr)
		}
	}
	waitFor(t, "every run counted", func() bool {
		for c, n := range want {
			if tasks(c.typ, c.outcome)-before[c] < n {
				return false
			}
		}
		return true
	})
	for c, n := range want {
		if d := tasks(c.typ, c.outcome) - before[c]; d != n {
			t.Errorf("tasks {%s, %s} +%v, want +%v", c.typ, c.outcome, d, n)
		}
	}
	for typ, n := range wantTimed {
		if d := samples(t, "dargo_task_duration_seconds", "type", typ) - timedBefore[typ]; d != n {
			t.Errorf("task duration samples {%s} +%d, want +%d", typ, d, n)
		}
	}
	if d := tasks(unknown, "failed"); d != 0 {
		t.Errorf("tasks {%s, failed} = %v: an unknown type must count as other", unknown, d)
	}
}
