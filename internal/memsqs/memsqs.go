// Package memsqs is an in-memory SQS queue, a stand-in for benchmarks (and
// `dargo bench`) that should measure the inbound consumer and the database
// rather than an emulator whose per-call cost grows with the queue length.
// It keeps what the consumer uses: receive with a visibility timeout, delete
// by receipt handle, and visibility changes; nothing else of SQS.
package memsqs

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Queue is one in-memory queue; its methods are those of transport.SQSClient.
// The zero value is not usable: call New.
type Queue struct {
	mu      sync.Mutex
	msgs    map[string]*message // by message id
	order   []string
	handles map[string]string // receipt handle -> message id
	seq     int

	visibilityCalls int // ChangeMessageVisibility, not the batch form
	maxReceives     int // the most any message was received
}

type message struct {
	id, body  string
	visibleAt time.Time
	receives  int
}

// New returns an empty queue.
func New() *Queue {
	return &Queue{msgs: map[string]*message{}, handles: map[string]string{}}
}

// Send puts a message with body on the queue, visible at once.
func (q *Queue) Send(body string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	id := "m" + strconv.Itoa(q.seq)
	q.msgs[id] = &message{id: id, body: body}
	q.order = append(q.order, id)
}

// ReceiveMessage returns up to MaxNumberOfMessages visible messages, hiding
// them for VisibilityTimeout; with none visible it polls every 5 ms for
// WaitTimeSeconds, as SQS long polling waits.
func (q *Queue) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	deadline := time.Now().Add(time.Duration(in.WaitTimeSeconds) * time.Second)
	for {
		if out := q.take(int(in.MaxNumberOfMessages), time.Duration(in.VisibilityTimeout)*time.Second); len(out) > 0 || time.Now().After(deadline) {
			return &sqs.ReceiveMessageOutput{Messages: out}, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (q *Queue) take(n int, visibility time.Duration) []types.Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := time.Now()
	var out []types.Message
	kept := q.order[:0]
	for _, id := range q.order {
		m, ok := q.msgs[id]
		if !ok {
			continue // deleted
		}
		kept = append(kept, id)
		if len(out) < n && !now.Before(m.visibleAt) {
			m.receives++
			q.maxReceives = max(q.maxReceives, m.receives)
			m.visibleAt = now.Add(visibility)
			q.seq++
			h := "h" + strconv.Itoa(q.seq)
			q.handles[h] = id
			out = append(out, types.Message{MessageId: aws.String(id), ReceiptHandle: aws.String(h), Body: aws.String(m.body),
				Attributes: map[string]string{"ApproximateReceiveCount": strconv.Itoa(m.receives)}})
		}
	}
	q.order = kept
	return out
}

// DeleteMessageBatch deletes the messages received with the entries' handles.
func (q *Queue) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := &sqs.DeleteMessageBatchOutput{}
	for _, e := range in.Entries {
		delete(q.msgs, q.handles[*e.ReceiptHandle])
		delete(q.handles, *e.ReceiptHandle)
		out.Successful = append(out.Successful, types.DeleteMessageBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

// ChangeMessageVisibility hides (or shows) one received message for the
// given seconds from now.
func (q *Queue) ChangeMessageVisibility(_ context.Context, in *sqs.ChangeMessageVisibilityInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	q.mu.Lock()
	q.visibilityCalls++
	q.mu.Unlock()
	q.setVisibility(*in.ReceiptHandle, in.VisibilityTimeout)
	return &sqs.ChangeMessageVisibilityOutput{}, nil
}

// ChangeMessageVisibilityBatch is ChangeMessageVisibility for each entry.
func (q *Queue) ChangeMessageVisibilityBatch(_ context.Context, in *sqs.ChangeMessageVisibilityBatchInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	for _, e := range in.Entries {
		q.setVisibility(*e.ReceiptHandle, e.VisibilityTimeout)
	}
	return &sqs.ChangeMessageVisibilityBatchOutput{}, nil
}

// GetQueueAttributes answers the DLQ watcher: the queue has no redrive policy.
func (q *Queue) GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return &sqs.GetQueueAttributesOutput{Attributes: map[string]string{}}, nil
}

// GetQueueUrl finds no other queue: there is only this one.
func (q *Queue) GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return nil, errors.New("memsqs: no other queues")
}

func (q *Queue) setVisibility(handle string, seconds int32) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if m, ok := q.msgs[q.handles[handle]]; ok {
		m.visibleAt = time.Now().Add(time.Duration(seconds) * time.Second)
	}
}

// Len is the number of messages not yet deleted, hidden or not.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.msgs)
}

// Stats returns how often ChangeMessageVisibility (the single form, the
// consumer's heartbeat) was called and the most any message was received.
func (q *Queue) Stats() (visibilityCalls, maxReceives int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.visibilityCalls, q.maxReceives
}
