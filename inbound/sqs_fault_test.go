package inbound_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
	p       inbound.Ingester
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
		wait := sqsRun(t, ctx, inbound.ConsumerOpts{QueueURL: q.main, Client: deadClient{q.client}, Visibility: 2 * time.Second,
			Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
				res, err := first.Ingest(ctx, raw, env)
				kill()
				return res, err
			})})
		wait()
		if first.count(inbound.ActionCreated) != 1 || q.count(t, q.main) != 1 {
			t.Fatalf("first run: created %d, queue %d; want 1 and 1", first.count(inbound.ActionCreated), q.count(t, q.main))
		}

		// A fresh process gets the message again: a duplicate, deleted.
		second := &recorder{p: sqsPipeline(t, db)}
		sqsStart(t, inbound.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: second, Visibility: 6 * time.Second})
		// Both: moto's in-flight count can read 0 for a moment while the
		// second process holds the message.
		eventually(t, 20*time.Second, "the redelivery handled and deleted", func() bool {
			return second.count(inbound.ActionDuplicate) == 1 && q.count(t, q.main) == 0
		})
		if second.count(inbound.ActionDuplicate) != 1 || second.count(inbound.ActionCreated) != 0 {
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
		wait := sqsRun(t, ctx, inbound.ConsumerOpts{QueueURL: q.main, Client: q.client, Visibility: 30 * time.Second,
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
		sqsStart(t, inbound.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: second, Visibility: 30 * time.Second})
		eventually(t, 10*time.Second, "the mail processed and deleted", func() bool { return q.count(t, q.main) == 0 })
		if second.count(inbound.ActionCreated) != 1 {
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
	sqsStart(t, inbound.ConsumerOpts{QueueURL: q.main, Client: q.client, Visibility: 30 * time.Second, Retry: time.Second,
		Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
			if calls.Add(1) == 1 {
				return inbound.Result{}, errDatabaseDown
			}
			return p.Ingest(ctx, raw, env)
		})})
	eventually(t, 15*time.Second, "the mail processed on redelivery", func() bool { return p.count(inbound.ActionCreated) == 1 })
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
		sqsStart(t, inbound.ConsumerOpts{QueueURL: q.main, Client: q.client, Visibility: 30 * time.Second, Retry: time.Second,
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

func TestSQSConsumerShutdownReleasesUnstarted(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 5)
	for i := range 5 {
		q.send(t, q.main, snsWrap(sqsReceived("ses-release-"+string(rune('a'+i)), sqsMail(i, "anna@customer.example"), "UTF8", "")))
	}
	p := sqsPipeline(t, db)
	started, proceed := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	ctx, stop := context.WithCancel(context.Background())
	wait := sqsRun(t, ctx, inbound.ConsumerOpts{QueueURL: q.main, Client: q.client, Processors: 1,
		Visibility: time.Minute, // without a release they would stay hidden for a minute
		Pipeline: ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
			if calls.Add(1) == 1 {
				close(started)
				<-proceed
			}
			return p.Ingest(ctx, raw, env)
		})})
	<-started
	time.Sleep(300 * time.Millisecond) // let the receiver hold the rest of its batch
	stop()
	time.Sleep(100 * time.Millisecond)
	close(proceed) // the mail in progress finishes within the grace period
	wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("pipeline called %d times, want 1 (nothing new after shutdown)", n)
	}
	if n := sqsCount(t, db, `SELECT COUNT(*) FROM tickets`); n != 1 {
		t.Errorf("%d tickets, want 1 (the mail in progress finished)", n)
	}
	got := q.drain(t, q.main, 2*time.Second)
	if len(got) != 4 {
		t.Errorf("%d messages receivable right after shutdown, want the 4 unstarted", len(got))
	}
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
	stop := sqsStart(t, inbound.ConsumerOpts{QueueURL: q.main, Client: staleClient{q.client}, Pipeline: first, Visibility: 2 * time.Second})
	eventually(t, 10*time.Second, "3 mails created", func() bool { return first.count(inbound.ActionCreated) == 3 })
	stop()
	if n := q.count(t, q.main); n != 3 {
		t.Fatalf("%d messages on the queue after failed deletes, want 3", n)
	}
	second := &recorder{p: sqsPipeline(t, db)}
	sqsStart(t, inbound.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: second, Visibility: 6 * time.Second})
	eventually(t, 15*time.Second, "the redeliveries deleted", func() bool { return q.count(t, q.main) == 0 })
	if second.count(inbound.ActionDuplicate) != 3 || sqsCount(t, db, `SELECT COUNT(*) FROM tickets`) != 3 {
		t.Errorf("second run %v, %d tickets; want 3 duplicates and 3 tickets", second.actions, sqsCount(t, db, `SELECT COUNT(*) FROM tickets`))
	}
}
