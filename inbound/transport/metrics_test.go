package transport_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestMetricsSQSMailActions: a new mail, a reply to it, the first mail
// again and a mail with a virus verdict go through the real consumer and
// pipeline; each is counted once by its action, each success is observed
// once in the latency histogram, and nothing stays in flight.
func TestMetricsSQSMailActions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		q := sqsSetup(t, 5)
		actions, samples, flying := snapshot(metrics.InboundMails, mailActions...), latencySamples(), inFlight()
		first := snsWrap(sqsReceived("ses-metrics-first", metricsMail("<first@customer.example>", "", "anna@customer.example"), "UTF8", ""))
		q.send(t, q.main, first)
		stop := sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: sqsPipeline(t, db),
			Visibility: 6 * time.Second, Retry: time.Second})
		eventually(t, 20*time.Second, "the first mail created", func() bool {
			return actions.since(metrics.InboundMails)[store.ActionCreated] == 1 && q.count(t, q.main) == 0
		})

		q.send(t, q.main, snsWrap(sqsReceived("ses-metrics-reply",
			metricsMail("<reply@customer.example>", "<first@customer.example>", "anna@customer.example"), "UTF8", "")))
		q.send(t, q.main, first)
		virus := sqsReceived("ses-metrics-virus", metricsMail("<virus@customer.example>", "", "eve@customer.example"), "BASE64", "")
		virus["receipt"].(map[string]any)["virusVerdict"] = map[string]string{"status": "FAIL"}
		q.send(t, q.main, snsWrap(virus))
		want := map[string]float64{store.ActionCreated: 1, store.ActionAppended: 1, store.ActionDuplicate: 1, store.ActionQuarantined: 1}
		eventually(t, 20*time.Second, "four mails counted and the queue empty", func() bool {
			return maps.Equal(actions.since(metrics.InboundMails), want) && q.count(t, q.main) == 0
		})
		eventually(t, 10*time.Second, "nothing in flight", func() bool { return inFlight() == flying })
		stop()
		if got := actions.since(metrics.InboundMails); !maps.Equal(got, want) {
			t.Errorf("mails counted %v, want %v", got, want)
		}
		if got := latencySamples() - samples; got != 4 {
			t.Errorf("%d latency observations, want 4 (one per mail committed)", got)
		}
		if got := inFlight(); got != flying {
			t.Errorf("in flight %v after shutdown, want %v", got, flying)
		}
	})
}

// saveFails is a database that cannot store inbound mail.
type saveFails struct{ *store.DB }

func (saveFails) SaveInboundMail(context.Context, *store.InboundMail, []byte) (*store.InboundMail, bool, error) {
	return nil, false, errDatabaseDown
}

// TestMetricsSQSPipelineFailure: a mail the pipeline fails on is counted
// failed once, observes no latency and stays on the queue.
func TestMetricsSQSPipelineFailure(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 5)
	q.send(t, q.main, snsWrap(sqsReceived("ses-metrics-fails", sqsMail(1, "anna@customer.example"), "UTF8", "")))
	actions, samples, flying := snapshot(metrics.InboundMails, mailActions...), latencySamples(), inFlight()
	w := newWatchClient(q.client)
	p := inbound.NewPipeline(saveFails{db}, inbound.Opts{MailDomain: "help.example.com", Secret: "s", Logger: sqsLogger(t)})
	stop := sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: w, Pipeline: p, Visibility: 6 * time.Second, Retry: 30 * time.Second})
	eventually(t, 20*time.Second, "the failed mail's retry delay set", func() bool {
		ids := w.receivedIDs()
		return len(ids) == 1 && w.hasVisibility(ids[0])
	})
	stop()
	if got, want := actions.since(metrics.InboundMails), (counts{store.ActionFailed: 1}); !maps.Equal(got, want) {
		t.Errorf("mails counted %v, want %v", got, want)
	}
	if got := latencySamples() - samples; got != 0 {
		t.Errorf("%d latency observations for a failed mail", got)
	}
	if n := q.count(t, q.main); n != 1 {
		t.Errorf("%d messages on the queue, want the failed one", n)
	}
	if got := inFlight(); got != flying {
		t.Errorf("in flight %v after shutdown, want %v", got, flying)
	}
}

// TestMetricsSQSDeleteErrors: a delete call that fails counts each of its
// messages, and so does each entry of a batch SQS refuses.
func TestMetricsSQSDeleteErrors(t *testing.T) {
	for _, whole := range []bool{true, false} {
		name := map[bool]string{true: "call", false: "entries"}[whole]
		t.Run(name, func(t *testing.T) {
			db := testdb.Open(t, store.SQLite)
			q := sqsSetup(t, 5)
			for i := range 2 {
				q.send(t, q.main, snsWrap(sqsReceived("ses-metrics-delete-"+name+string(rune('a'+i)), sqsMail(i, "anna@customer.example"), "UTF8", "")))
			}
			errs := snapshot(metrics.SQSErrors, "receive", "delete", "visibility", "dlq")
			c := &deleteFails{Client: q.client, whole: whole}
			stop := sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: c, Pipeline: sqsPipeline(t, db), Visibility: 6 * time.Second})
			eventually(t, 20*time.Second, "two deletes tried", func() bool { return c.entries.Load() >= 2 })
			stop()
			if got, want := errs.since(metrics.SQSErrors), (counts{"delete": float64(c.entries.Load())}); !maps.Equal(got, want) {
				t.Errorf("SQS errors %v, want %v", got, want)
			}
			if n := q.count(t, q.main); n != 2 {
				t.Errorf("%d messages on the queue, want the 2 not deleted", n)
			}
		})
	}
}

// TestMetricsSQSReceiveAndVisibilityErrors: a failed receive counts once,
// and so does each failed ChangeMessageVisibility (here the retry delay of
// a poison message).
func TestMetricsSQSReceiveAndVisibilityErrors(t *testing.T) {
	q := sqsSetup(t, 5)
	q.send(t, q.main, `{"Type":"Notification","Message":"{not json`)
	errs := snapshot(metrics.SQSErrors, "receive", "delete", "visibility", "dlq")
	c := &flakySQS{Client: q.client}
	stop := sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: c, Retry: 30 * time.Second})
	eventually(t, 20*time.Second, "the poison message's delay tried", func() bool { return c.visibility.Load() >= 1 })
	stop()
	if got, want := errs.since(metrics.SQSErrors), (counts{"receive": 1, "visibility": float64(c.visibility.Load())}); !maps.Equal(got, want) {
		t.Errorf("SQS errors %v, want %v", got, want)
	}
}

// TestMetricsDLQDepth: the consumer reads its queue's redrive policy and
// sets the dead-letter queue's depth under its name, and follows it.
func TestMetricsDLQDepth(t *testing.T) {
	in, fb := sqsSetup(t, 5), sqsSetup(t, 5)
	for range 3 {
		in.send(t, in.dlq, "dead mail")
	}
	fb.send(t, fb.dlq, "dead bounce")
	sqsStart(t, transport.ConsumerOpts{QueueURL: in.main, Client: in.client, DLQInterval: 100 * time.Millisecond})
	sqsStart(t, transport.ConsumerOpts{QueueURL: fb.main, Name: transport.QueueFeedback, Client: fb.client, DLQInterval: 100 * time.Millisecond})
	for queue, want := range map[string]float64{transport.QueueInbound: 3, transport.QueueFeedback: 1} {
		eventually(t, 20*time.Second, queue+" DLQ depth", func() bool { n, ok := dlqDepth(queue); return ok && n == want })
	}
	fb.send(t, fb.dlq, "dead complaint")
	eventually(t, 20*time.Second, "the feedback DLQ's depth followed", func() bool {
		n, _ := dlqDepth(transport.QueueFeedback)
		return n == 2
	})
}

// TestMetricsDLQNone: a queue without a redrive policy sets no depth, and
// says so once however often it is read.
func TestMetricsDLQNone(t *testing.T) {
	q := sqsSetup(t, 5)
	out, err := q.client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("dargo-plain-%d", time.Now().UnixNano()))})
	if err != nil {
		t.Fatal(err)
	}
	plain := aws.ToString(out.QueueUrl)
	metrics.DLQMessages.WithLabelValues(transport.QueueInbound).Set(42) // left over from a queue that had one
	c := &dlqClient{Client: q.client, queue: plain}
	var logs logBuffer
	sqsStart(t, transport.ConsumerOpts{QueueURL: plain, Client: c, DLQInterval: 50 * time.Millisecond, Logger: logs.logger()})
	eventually(t, 20*time.Second, "three reads of the redrive policy", func() bool { return c.reads.Load() >= 3 })
	if _, ok := dlqDepth(transport.QueueInbound); ok {
		t.Errorf("a DLQ depth is set for a queue without a dead-letter queue")
	}
	if n := strings.Count(logs.String(), "no dead-letter queue configured"); n != 1 {
		t.Errorf("%q logged %d times, want once:\n%s", "no dead-letter queue configured", n, logs.String())
	}
	if c.urls.Load() != 0 {
		t.Errorf("GetQueueUrl called without a redrive policy")
	}
}

// TestMetricsDLQReadFails: each failed read of the DLQ's depth counts as
// a dlq error, and the failure is logged once until it recovers.
func TestMetricsDLQReadFails(t *testing.T) {
	q := sqsSetup(t, 5)
	errs := snapshot(metrics.SQSErrors, "receive", "delete", "visibility", "dlq")
	c := &dlqClient{Client: q.client, queue: q.main, failURL: true}
	var logs logBuffer
	stop := sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: c, DLQInterval: 50 * time.Millisecond, Logger: logs.logger()})
	eventually(t, 20*time.Second, "three failed reads", func() bool { return c.urls.Load() >= 3 })
	stop()
	if got, want := errs.since(metrics.SQSErrors), (counts{"dlq": float64(c.urls.Load())}); !maps.Equal(got, want) {
		t.Errorf("SQS errors %v, want %v", got, want)
	}
	if n := strings.Count(logs.String(), "dead-letter queue depth not read"); n != 1 {
		t.Errorf("the failure logged %d times, want once:\n%s", n, logs.String())
	}
}

// TestMetricsInFlight: messages count from their receipt to their end,
// whether handled or released at shutdown.
func TestMetricsInFlight(t *testing.T) {
	q := sqsSetup(t, 5)
	flying := inFlight()
	proceed := make(chan struct{})
	hold := ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
		select {
		case <-proceed:
			return inbound.Result{Action: store.ActionCreated}, nil
		case <-ctx.Done():
			return inbound.Result{}, ctx.Err()
		}
	})
	send := func(q *sqsQueues, n int) {
		for i := range n {
			q.send(t, q.main, snsWrap(sqsReceived("ses-flying-"+time.Now().Format("150405.000000000")+string(rune('a'+i)),
				sqsMail(i, "anna@customer.example"), "UTF8", "")))
		}
	}
	// Two processors busy, two messages waiting for them (one per receiver).
	send(q, 4)
	stop := sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: hold, Receivers: 2, Processors: 2,
		Visibility: 30 * time.Second, Grace: time.Second})
	eventually(t, 20*time.Second, "4 in flight", func() bool { return inFlight() == flying+4 })
	close(proceed)
	eventually(t, 20*time.Second, "the batch done", func() bool { return inFlight() == flying && q.count(t, q.main) == 0 })
	stop()

	// At shutdown: the mails in progress run out of grace and are released.
	// A fresh queue: moto finishes the stopped consumer's abandoned long
	// poll on the old one, and that would take a message out of sight.
	q = sqsSetup(t, 5)
	proceed = make(chan struct{})
	send(q, 3)
	stop = sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: hold, Receivers: 2, Processors: 2,
		Visibility: 30 * time.Second, Grace: time.Second})
	eventually(t, 20*time.Second, "3 in flight", func() bool { return inFlight() == flying+3 })
	stop()
	if got := inFlight(); got != flying {
		t.Errorf("in flight %v after shutdown, want %v", got, flying)
	}
	if n := q.count(t, q.main); n != 3 {
		t.Errorf("%d messages on the queue after shutdown, want the 3 released", n)
	}
}

// TestMetricsSESFeedback: SES's bounce, complaint and delivery
// notifications are counted by type once handled. A DSN that comes back as
// mail is the pipeline's (action bounce), not SES feedback.
func TestMetricsSESFeedback(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		q := sqsSetup(t, 2)
		fbEmail(t, db, "relayuser@test.com", fbHardBounceID)
		fbEmail(t, db, "bob@customer.example", fbBobID)
		types := []string{"bounce", "soft_bounce", "complaint", "delivery"}
		before := snapshot(metrics.SESFeedback, types...)
		for _, f := range []string{"hard_bounce_sns_body.json", "bounce_transient_sns_body.json", "complaint_sns_body.json", "event_delivery_raw_body.json"} {
			q.send(t, q.main, fbFixture(t, f))
		}
		sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Feedback: db, Visibility: 6 * time.Second, Retry: time.Second})
		want := counts{"bounce": 1, "soft_bounce": 1, "complaint": 1, "delivery": 1}
		eventually(t, 20*time.Second, "four notifications counted and the queue empty", func() bool {
			return maps.Equal(before.since(metrics.SESFeedback), want) && q.count(t, q.main) == 0
		})
		if got := fbStatus(t, db, fbHardBounceID); got != "failed" {
			t.Errorf("the hard bounce was counted but not applied: emails status %s", got)
		}
	})
}
