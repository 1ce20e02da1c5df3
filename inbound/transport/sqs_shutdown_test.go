package transport_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestSQSConsumerShutdownPollInFlight: a mail SQS hands to the long poll in
// flight when the consumer is stopped goes into the pipeline (a processor is
// free and grace remains); it is not left hidden for the visibility timeout,
// and no new poll starts.
func TestSQSConsumerShutdownPollInFlight(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 5)
	w := newWatchClient(q.client)
	p := &recorder{p: sqsPipeline(t, db)}
	ctx, stop := context.WithCancel(context.Background())
	wait := sqsRun(t, ctx, transport.ConsumerOpts{QueueURL: q.main, Client: w, Pipeline: p,
		Visibility: time.Minute, PollWait: 20 * time.Second, Grace: 25 * time.Second})
	<-w.polls // a 20 s poll on an empty queue
	stop()
	q.send(t, q.main, snsWrap(sqsReceived("ses-in-flight", sqsMail(1, "late@customer.example"), "UTF8", "")))
	wait()
	polls, received, released := w.stats()
	if polls != 1 {
		t.Errorf("%d polls, want 1 (none after the stop)", polls)
	}
	if received != 1 || p.count(store.ActionCreated) != 1 {
		t.Fatalf("the poll in flight brought %d messages and %v were ingested; want the late mail created", received, p.actions)
	}
	if released != 0 || q.count(t, q.main) != 0 {
		t.Errorf("%d released, %d left on the queue; want the mail deleted", released, q.count(t, q.main))
	}
}

// TestSQSConsumerShutdownPollInFlightBusy: when every processor is busy, a
// mail the poll in flight brings after the stop is released at once, so the
// next consumer can receive it right away.
func TestSQSConsumerShutdownPollInFlightBusy(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 5)
	q.send(t, q.main, snsWrap(sqsReceived("ses-busy", sqsMail(1, "busy@customer.example"), "UTF8", "")))
	w := newWatchClient(q.client)
	p := &recorder{p: sqsPipeline(t, db)}
	started, proceed := make(chan struct{}), make(chan struct{})
	ctx, stop := context.WithCancel(context.Background())
	wait := sqsRun(t, ctx, transport.ConsumerOpts{QueueURL: q.main, Client: w, Processors: 1,
		Visibility: time.Minute, PollWait: 20 * time.Second, Grace: 25 * time.Second,
		Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
			if env.SESID == "ses-busy" {
				close(started)
				<-proceed
			}
			return p.Ingest(ctx, raw, env)
		})})
	<-started
	<-w.polls
	<-w.polls // the second poll, while the only processor is busy
	stop()
	late := snsWrap(sqsReceived("ses-late", sqsMail(2, "late@customer.example"), "UTF8", ""))
	q.send(t, q.main, late)
	eventually(t, 30*time.Second, "the late mail released", func() bool { _, _, r := w.stats(); return r == 1 })
	close(proceed)
	wait()
	if p.count(store.ActionCreated) != 1 {
		t.Errorf("ingested %v, want only the busy mail created", p.actions)
	}
	got := q.drain(t, q.main, 2*time.Second)
	if len(got) != 1 || *got[0].Body != late {
		t.Errorf("%d messages receivable right after the stop, want the late one", len(got))
	}
}

// TestSQSConsumerShutdownWithinGrace: on stop the mail in progress that can
// finish does, the one still running when grace ends is given up (nothing
// committed) and released, and the messages received but not started are
// released at once: Run returns and all of them can be received right away.
func TestSQSConsumerShutdownWithinGrace(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 5)
	for i := range 5 {
		q.send(t, q.main, snsWrap(sqsReceived("ses-grace-"+string(rune('a'+i)), sqsMail(i, "anna@customer.example"), "UTF8", "")))
	}
	w := newWatchClient(q.client)
	p := sqsPipeline(t, db)
	started, proceed := make(chan struct{}, 2), make(chan struct{})
	var calls atomic.Int32
	ctx, stop := context.WithCancel(context.Background())
	wait := sqsRun(t, ctx, transport.ConsumerOpts{QueueURL: q.main, Client: w, Processors: 2,
		Visibility: time.Minute, // without a release they would stay hidden for a minute
		Grace:      5 * time.Second,
		Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
			switch calls.Add(1) {
			case 1: // finishes within the grace period
				started <- struct{}{}
				<-proceed
			case 2: // still running when grace ends
				started <- struct{}{}
				<-ctx.Done()
				return inbound.Result{}, ctx.Err()
			}
			return p.Ingest(ctx, raw, env)
		})})
	<-started
	<-started
	stop()
	eventually(t, 30*time.Second, "the 3 unstarted messages released", func() bool { _, _, r := w.stats(); return r >= 3 })
	close(proceed)
	wait()
	if n := calls.Load(); n != 2 {
		t.Errorf("pipeline called %d times, want 2 (nothing started after the stop while both processors were busy)", n)
	}
	if n := sqsCount(t, db, `SELECT COUNT(*) FROM tickets`); n != 1 {
		t.Errorf("%d tickets, want 1 (the mail that could finish)", n)
	}
	if _, _, r := w.stats(); r != 4 {
		t.Errorf("%d messages released, want 4 (3 unstarted, 1 given up)", r)
	}
	if got := q.drain(t, q.main, 2*time.Second); len(got) != 4 {
		t.Errorf("%d messages receivable right after shutdown, want 4", len(got))
	}
}
