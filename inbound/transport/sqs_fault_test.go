package transport_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// deadClient is the SQS client of a process that died after its commit:
// deletes never reach SQS.
type deadClient struct{ *sqs.Client }

func (deadClient) DeleteMessageBatch(context.Context, *sqs.DeleteMessageBatchInput, ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	return nil, errors.New("process killed before delete (test)")
}

// recorder wraps the pipeline and counts the actions it returned.
type recorder struct {
	p       transport.Ingester
	mu      sync.Mutex
	actions map[string]int
}

func (r *recorder) Ingest(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
	res, err := r.p.Ingest(ctx, raw, env)
	if err == nil {
		r.mu.Lock()
		if r.actions == nil {
			r.actions = map[string]int{}
		}
		r.actions[res.Action]++
		r.mu.Unlock()
	}
	return res, err
}

func (r *recorder) count(action string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.actions[action]
}

func TestSQSConsumerCrashAfterCommit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		q := sqsSetup(t, 5)
		q.send(t, q.main, snsWrap(sqsReceived("ses-crash-after", sqsMail(1, "anna@customer.example"), "UTF8", "")))

		// First process: commits, then dies before its delete reaches SQS.
		ctx, kill := context.WithCancel(context.Background())
		first := &recorder{p: sqsPipeline(t, db)}
		wait := sqsRun(t, ctx, transport.ConsumerOpts{QueueURL: q.main, Client: deadClient{q.client}, Visibility: 2 * time.Second,
			Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
				res, err := first.Ingest(ctx, raw, env)
				kill()
				return res, err
			})})
		wait()
		if first.count(store.ActionCreated) != 1 || q.count(t, q.main) != 1 {
			t.Fatalf("first run: created %d, queue %d; want 1 and 1", first.count(store.ActionCreated), q.count(t, q.main))
		}

		// A fresh process gets the message again: a duplicate, deleted.
		second := &recorder{p: sqsPipeline(t, db)}
		sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: second, Visibility: 6 * time.Second})
		// Both: moto's in-flight count can read 0 for a moment while the
		// second process holds the message.
		eventually(t, 20*time.Second, "the redelivery handled and deleted", func() bool {
			return second.count(store.ActionDuplicate) == 1 && q.count(t, q.main) == 0
		})
		if second.count(store.ActionDuplicate) != 1 || second.count(store.ActionCreated) != 0 {
			t.Errorf("second run: %v; want one duplicate", second.actions)
		}
		if n := sqsCount(t, db, `SELECT COUNT(*) FROM tickets`); n != 1 {
			t.Errorf("%d tickets, want 1", n)
		}
	})
}

func TestSQSConsumerCrashBeforeCommit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		q := sqsSetup(t, 5)
		q.send(t, q.main, snsWrap(sqsReceived("ses-crash-before", sqsMail(1, "anna@customer.example"), "UTF8", "")))

		// First process: stopped while the pipeline is busy with the mail;
		// the pipeline gives up without committing when its grace ends.
		ctx, stop := context.WithCancel(context.Background())
		started := make(chan struct{})
		wait := sqsRun(t, ctx, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Visibility: 30 * time.Second,
			Grace: 300 * time.Millisecond,
			Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
				close(started)
				<-ctx.Done()
				return inbound.Result{}, ctx.Err()
			})})
		<-started
		stop()
		wait()
		if n := sqsCount(t, db, `SELECT COUNT(*) FROM inbound_mail`); n != 0 {
			t.Fatalf("%d inbound_mail rows after the crash", n)
		}

		// A fresh process: the message is back at once (released), and processed.
		second := &recorder{p: sqsPipeline(t, db)}
		sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: second, Visibility: 30 * time.Second})
		eventually(t, 10*time.Second, "the mail processed and deleted", func() bool { return q.count(t, q.main) == 0 })
		if second.count(store.ActionCreated) != 1 {
			t.Errorf("second run: %v; want created", second.actions)
		}
	})
}

func TestSQSConsumerPipelineErrorRetried(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 5)
	q.send(t, q.main, snsWrap(sqsReceived("ses-retry", sqsMail(1, "anna@customer.example"), "BASE64", "")))
	p := &recorder{p: sqsPipeline(t, db)}
	var calls atomic.Int32
	sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Visibility: 30 * time.Second, Retry: time.Second,
		Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
			if calls.Add(1) == 1 {
				return inbound.Result{}, errDatabaseDown
			}
			return p.Ingest(ctx, raw, env)
		})})
	eventually(t, 15*time.Second, "the mail processed on redelivery", func() bool { return p.count(store.ActionCreated) == 1 })
	eventually(t, 5*time.Second, "an empty queue", func() bool { return q.count(t, q.main) == 0 })
	if calls.Load() != 2 {
		t.Errorf("pipeline called %d times, want 2", calls.Load())
	}
}

func TestSQSConsumerDatabaseDown(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		q := sqsSetup(t, 5)
		for i := range 3 {
			q.send(t, q.main, snsWrap(sqsReceived("ses-down-"+string(rune('a'+i)), sqsMail(i, "anna@customer.example"), "UTF8", "")))
		}
		var down atomic.Bool
		down.Store(true)
		var failures atomic.Int32
		p := sqsPipeline(t, db)
		sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Visibility: 30 * time.Second, Retry: time.Second,
			Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
				if down.Load() {
					failures.Add(1)
					return inbound.Result{}, errDatabaseDown
				}
				return p.Ingest(ctx, raw, env)
			}),
			Ready: func(ctx context.Context) error {
				if down.Load() {
					return errDatabaseDown
				}
				return db.Ping(ctx)
			}})
		eventually(t, 10*time.Second, "the pipeline to fail", func() bool { return failures.Load() > 0 })
		time.Sleep(4 * time.Second)
		if n := q.count(t, q.main); n != 3 {
			t.Errorf("%d messages on the queue while the database is down, want 3", n)
		}
		if n := failures.Load(); n > 3 {
			t.Errorf("the pipeline was called %d times while down; receiving should pause", n)
		}
		down.Store(false)
		eventually(t, 20*time.Second, "3 tickets and an empty queue once the database is back", func() bool {
			return sqsCount(t, db, `SELECT COUNT(*) FROM tickets`) == 3 && q.count(t, q.main) == 0
		})
		if n := q.count(t, q.dlq); n != 0 {
			t.Errorf("%d messages in the DLQ", n)
		}
	})
}

// staleClient deletes with receipt handles SQS no longer accepts, as after
// a visibility timeout passed: every batch entry fails.
type staleClient struct{ *sqs.Client }

func (c staleClient) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	out := &sqs.DeleteMessageBatchOutput{}
	for _, e := range in.Entries {
		out.Failed = append(out.Failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String("ReceiptHandleIsInvalid"),
			Message: aws.String("stale receipt handle (test)"), SenderFault: true})
	}
	return out, nil
}

func TestSQSConsumerDeleteEntriesFail(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 5)
	for i := range 3 {
		q.send(t, q.main, snsWrap(sqsReceived("ses-stale-"+string(rune('a'+i)), sqsMail(i, "anna@customer.example"), "UTF8", "")))
	}
	first := &recorder{p: sqsPipeline(t, db)}
	stop := sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: staleClient{q.client}, Pipeline: first, Visibility: 2 * time.Second})
	eventually(t, 10*time.Second, "3 mails created", func() bool { return first.count(store.ActionCreated) == 3 })
	stop()
	if n := q.count(t, q.main); n != 3 {
		t.Fatalf("%d messages on the queue after failed deletes, want 3", n)
	}
	second := &recorder{p: sqsPipeline(t, db)}
	sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: second, Visibility: 6 * time.Second})
	eventually(t, 15*time.Second, "the redeliveries deleted", func() bool { return q.count(t, q.main) == 0 })
	if second.count(store.ActionDuplicate) != 3 || sqsCount(t, db, `SELECT COUNT(*) FROM tickets`) != 3 {
		t.Errorf("second run %v, %d tickets; want 3 duplicates and 3 tickets", second.actions, sqsCount(t, db, `SELECT COUNT(*) FROM tickets`))
	}
}

// TestSQSConsumerFailedVisibilityIsBackoff: a message the pipeline failed
// on, and one a processor finds while the gate is closed, stay hidden for
// the gate's back-off (1 s at first), not Retry; while Ready fails nothing
// is received (receive counts are kept); once it answers one message is
// tried, and when it goes through the rest follow in batches.
func TestSQSConsumerFailedVisibilityIsBackoff(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 5)
	for i := range 2 {
		q.send(t, q.main, snsWrap(sqsReceived("ses-backoff-"+string(rune('a'+i)), sqsMail(i, "anna@customer.example"), "UTF8", "")))
	}
	w := newWatchClient(q.client)
	var down atomic.Bool
	down.Store(true)
	var failures, checks atomic.Int32
	p := &recorder{p: sqsPipeline(t, db)}
	sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: w, Processors: 1, Visibility: time.Minute, Retry: 30 * time.Second,
		Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
			if down.Load() {
				failures.Add(1)
				return inbound.Result{}, errDatabaseDown
			}
			return p.Ingest(ctx, raw, env)
		}),
		Ready: func(ctx context.Context) error {
			checks.Add(1)
			if down.Load() {
				return errDatabaseDown
			}
			return nil
		}})
	eventually(t, 30*time.Second, "two failed re-checks", func() bool { return checks.Load() >= 2 })
	polls, received, _ := w.stats()
	if polls != 1 {
		t.Errorf("%d polls, want 1 (none while the gate is closed)", polls)
	}
	if received != 2 || failures.Load() != 1 {
		t.Fatalf("%d received, %d failed in the pipeline; want both received in one batch, the first failed", received, failures.Load())
	}
	for _, id := range w.receivedIDs() {
		if v, ok := w.visibility(id); !ok || v != 1 {
			t.Errorf("message %s: visibility %d (set %v), want 1 s, the first back-off", id, v, ok)
		}
	}
	down.Store(false)
	eventually(t, 30*time.Second, "both mails created and the queue empty", func() bool {
		return p.count(store.ActionCreated) == 2 && q.count(t, q.main) == 0
	})
	eventually(t, 10*time.Second, "batches again", func() bool {
		sizes := w.batchSizes()
		return len(sizes) > 2 && slices.Max(sizes[2:]) > 1
	})
	if sizes := w.batchSizes(); sizes[0] != 10 || sizes[1] != 1 || slices.Max(sizes[2:]) == 1 {
		t.Errorf("polls asked for %v messages; want a batch, then one at a time to try the pipeline, then batches again", sizes)
	}
}

// TestSQSConsumerFailureReadyCannotSeeWaitsRetry: when the pipeline fails
// but the database answers (S3 or a read-only database), the message waits
// Retry, not the short back-off: five receives within seconds would send it
// to the dead-letter queue.
func TestSQSConsumerFailureReadyCannotSeeWaitsRetry(t *testing.T) {
	q := sqsSetup(t, 5)
	q.send(t, q.main, snsWrap(sqsReceived("ses-hidden-failure", sqsMail(0, "anna@customer.example"), "UTF8", "")))
	w := newWatchClient(q.client)
	var failures atomic.Int32
	sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: w, Processors: 1, Visibility: time.Minute, Retry: 30 * time.Second,
		Pipeline: ingestFunc(func(context.Context, []byte, inbound.Envelope) (inbound.Result, error) {
			failures.Add(1)
			return inbound.Result{}, errDatabaseDown
		}),
		Ready: func(context.Context) error { return nil }})
	eventually(t, 20*time.Second, "the failed message's visibility set", func() bool {
		return len(w.receivedIDs()) == 1 && w.hasVisibility(w.receivedIDs()[0])
	})
	if v, _ := w.visibility(w.receivedIDs()[0]); v != 30 || failures.Load() != 1 {
		t.Errorf("visibility %d s after %d failures, want Retry (30 s) after 1", v, failures.Load())
	}
}

// TestSQSConsumerPoisonVisibilityIsRetry: a poison message stays hidden for
// Retry; the pipeline is not failing, so the back-off does not apply.
func TestSQSConsumerPoisonVisibilityIsRetry(t *testing.T) {
	q := sqsSetup(t, 5)
	q.send(t, q.main, `{"Type":"Notification","Message":"{not json`)
	w := newWatchClient(q.client)
	sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: w, Retry: 30 * time.Second,
		Pipeline: ingestFunc(func(context.Context, []byte, inbound.Envelope) (inbound.Result, error) {
			t.Error("the pipeline was called for a poison message")
			return inbound.Result{}, nil
		})})
	eventually(t, 20*time.Second, "the poison message's visibility set", func() bool { return len(w.receivedIDs()) == 1 && w.hasVisibility(w.receivedIDs()[0]) })
	if v, _ := w.visibility(w.receivedIDs()[0]); v != 30 {
		t.Errorf("poison visibility %d s, want Retry (30 s)", v)
	}
}

// dyingClient is the SQS client of a consumer killed with kill -9 right
// after it received a message: nothing it asks of SQS afterwards arrives.
type dyingClient struct {
	*sqs.Client
	got atomic.Bool
}

var errKilled = errors.New("process killed (test)")

func (d *dyingClient) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	if d.got.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	out, err := d.Client.ReceiveMessage(ctx, in, opts...)
	if err == nil && len(out.Messages) > 0 {
		d.got.Store(true)
	}
	return out, err
}

func (*dyingClient) DeleteMessageBatch(context.Context, *sqs.DeleteMessageBatchInput, ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	return nil, errKilled
}

func (*dyingClient) ChangeMessageVisibility(context.Context, *sqs.ChangeMessageVisibilityInput, ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	return nil, errKilled
}

func (*dyingClient) ChangeMessageVisibilityBatch(context.Context, *sqs.ChangeMessageVisibilityBatchInput, ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	return nil, errKilled
}

// TestSQSConsumerKilled: a consumer dies holding a message (no heartbeat,
// delete or release reaches SQS); the message comes back when the
// visibility it was received with expires, and a second consumer creates
// the ticket.
func TestSQSConsumerKilled(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		q := sqsSetup(t, 5)
		q.send(t, q.main, snsWrap(sqsReceived("ses-killed", sqsMail(1, "anna@customer.example"), "UTF8", "")))

		ctx, kill := context.WithCancel(context.Background())
		started := make(chan struct{})
		sqsRun(t, ctx, transport.ConsumerOpts{QueueURL: q.main, Client: &dyingClient{Client: q.client}, Visibility: 3 * time.Second,
			Grace: time.Second,
			Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
				close(started)
				<-ctx.Done() // hangs until the test ends
				return inbound.Result{}, ctx.Err()
			})})
		t.Cleanup(kill)
		<-started

		second := &recorder{p: sqsPipeline(t, db)}
		sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: second, Visibility: 3 * time.Second})
		eventually(t, 60*time.Second, "the mail created by the second consumer and deleted", func() bool {
			return second.count(store.ActionCreated) == 1 && q.count(t, q.main) == 0
		})
	})
}
