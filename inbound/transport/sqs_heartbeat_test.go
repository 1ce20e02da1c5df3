package transport_test

import (
	"context"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/memsqs"
	"github.com/dargo-support/dargo/store"
)

// TestSQSConsumerHeartbeat: a mail that takes longer than the visibility
// timeout stays invisible (no second receive) because the heartbeat extends it.
func TestSQSConsumerHeartbeat(t *testing.T) {
	q := memsqs.New()
	q.Send(snsWrap(sqsReceived("ses-slow", sqsMail(1, "slow@customer.example"), "UTF8", "")))
	done := make(chan struct{})
	stop := sqsStart(t, transport.ConsumerOpts{QueueURL: "mem", Client: q, Visibility: time.Second,
		Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
			time.Sleep(2500 * time.Millisecond)
			close(done)
			return inbound.Result{Action: store.ActionCreated}, nil
		})})
	<-done
	eventually(t, 5*time.Second, "the message deleted", func() bool { return q.Len() == 0 })
	stop()
	calls, receives := q.Stats()
	if calls < 3 || receives != 1 {
		t.Errorf("%d heartbeats and %d receives; want at least 3 heartbeats (every 333 ms for 2.5 s) and 1 receive", calls, receives)
	}
}

// TestSQSConsumerRecoversPanic: a mail that panics the pipeline is poison
// (left on the queue); the consumer goes on with the next.
func TestSQSConsumerRecoversPanic(t *testing.T) {
	q := memsqs.New()
	q.Send(snsWrap(sqsReceived("ses-panic", sqsMail(1, "panic@customer.example"), "UTF8", "")))
	q.Send(snsWrap(sqsReceived("ses-fine", sqsMail(2, "fine@customer.example"), "UTF8", "")))
	fine := make(chan struct{})
	stop := sqsStart(t, transport.ConsumerOpts{QueueURL: "mem", Client: q, Processors: 1, Retry: time.Minute,
		Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
			if env.SESID == "ses-panic" {
				panic("boom")
			}
			close(fine)
			return inbound.Result{Action: store.ActionCreated}, nil
		})})
	select {
	case <-fine:
	case <-time.After(10 * time.Second):
		t.Fatal("the mail after the panic was not processed")
	}
	eventually(t, 5*time.Second, "only the panicking message left", func() bool { return q.Len() == 1 })
	stop()
}
