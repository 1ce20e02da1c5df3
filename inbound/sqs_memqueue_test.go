package inbound_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/dargo-support/dargo/inbound"
)

// memQueue is an in-memory SQS queue for benchmarks that should measure
// the consumer and the database rather than the emulator: receive,
// visibility and delete by receipt handle, nothing else.
type memQueue struct {
	mu      sync.Mutex
	msgs    map[string]*memMsg // by message id
	order   []string
	handles map[string]string // receipt handle -> message id
	seq     int

	visibilityCalls int // ChangeMessageVisibility, not the batch form
	maxReceives     int // the most any message was received
}

type memMsg struct {
	id, body  string
	visibleAt time.Time
	receives  int
}

var _ inbound.SQSClient = (*memQueue)(nil)

func newMemQueue() *memQueue {
	return &memQueue{msgs: map[string]*memMsg{}, handles: map[string]string{}}
}

func (q *memQueue) send(body string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	id := "m" + strconv.Itoa(q.seq)
	q.msgs[id] = &memMsg{id: id, body: body}
	q.order = append(q.order, id)
}

func (q *memQueue) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
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

func (q *memQueue) take(n int, visibility time.Duration) []types.Message {
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

func (q *memQueue) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
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

func (q *memQueue) ChangeMessageVisibility(_ context.Context, in *sqs.ChangeMessageVisibilityInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	q.mu.Lock()
	q.visibilityCalls++
	q.mu.Unlock()
	q.setVisibility(*in.ReceiptHandle, in.VisibilityTimeout)
	return &sqs.ChangeMessageVisibilityOutput{}, nil
}

func (q *memQueue) ChangeMessageVisibilityBatch(_ context.Context, in *sqs.ChangeMessageVisibilityBatchInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	for _, e := range in.Entries {
		q.setVisibility(*e.ReceiptHandle, e.VisibilityTimeout)
	}
	return &sqs.ChangeMessageVisibilityBatchOutput{}, nil
}

// GetQueueAttributes answers the DLQ watcher: the queue has no redrive policy.
func (q *memQueue) GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return &sqs.GetQueueAttributesOutput{Attributes: map[string]string{}}, nil
}

func (q *memQueue) GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return nil, errors.New("memQueue: no other queues")
}

func (q *memQueue) setVisibility(handle string, seconds int32) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if m, ok := q.msgs[q.handles[handle]]; ok {
		m.visibleAt = time.Now().Add(time.Duration(seconds) * time.Second)
	}
}

func (q *memQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.msgs)
}

func (q *memQueue) stats() (visibilityCalls, maxReceives int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.visibilityCalls, q.maxReceives
}
