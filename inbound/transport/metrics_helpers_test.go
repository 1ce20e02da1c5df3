package transport_test

import (
	"bytes"
	"context"
	"fmt"
	"github.com/dargo-support/dargo/internal/metrics/metricstest"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/store"
)

// The families are package globals that every test's consumer adds to, so
// the metrics tests measure deltas and never run in parallel.

// counts are the values of a counter family's series, by label value.
type counts map[string]float64

func snapshot(c *prometheus.CounterVec, labels ...string) counts {
	m := counts{}
	for _, l := range labels {
		m[l] = sample(c, l)
	}
	return m
}

// since is how much each series grew after before was taken.
func (before counts) since(c *prometheus.CounterVec) counts {
	d := counts{}
	for l, v := range before {
		if n := sample(c, l) - v; n != 0 {
			d[l] = n
		}
	}
	return d
}

// sample and lookup read a collector's value (see metricstest).
var (
	sample = metricstest.Sample
	lookup = metricstest.Lookup
)

var mailActions = []string{store.ActionCreated, store.ActionAppended, store.ActionDuplicate, store.ActionIgnored,
	store.ActionQuarantined, store.ActionBounce, store.ActionFailed}

// latencySamples is how many observations dargo_inbound_sqs_to_commit_seconds holds.
func latencySamples() uint64 { return uint64(sample(metrics.InboundLatency, "")) }

// dlqDepth is dargo_sqs_dlq_messages{queue}, and whether that series exists.
func dlqDepth(queue string) (float64, bool) { return lookup(metrics.DLQMessages, queue) }

func inFlight() float64 { return sample(metrics.InboundInFlight, "") }

// metricsMail is a small mail with a given Message-ID, a reply when
// inReplyTo is set.
func metricsMail(msgID, inReplyTo, sender string) []byte {
	reply := ""
	if inReplyTo != "" {
		reply = "In-Reply-To: " + inReplyTo + "\r\n"
	}
	return fmt.Appendf(nil, "Return-Path: <%s>\r\nFrom: Kundin <%s>\r\nTo: support@help.example.com\r\nSubject: Rechnung\r\n"+
		"Message-ID: %s\r\n%sDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"Die Rechnung ist doppelt.\r\n", sender, sender, msgID, reply)
}

// deleteFails is SQS whose deletes fail: the whole call (whole) or each
// entry. It counts the messages it did not delete.
type deleteFails struct {
	*sqs.Client
	whole   bool
	entries atomic.Int64
}

func (d *deleteFails) DeleteMessageBatch(_ context.Context, in *sqs.DeleteMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	d.entries.Add(int64(len(in.Entries)))
	if d.whole {
		return nil, errKilled
	}
	out := &sqs.DeleteMessageBatchOutput{}
	for _, e := range in.Entries {
		out.Failed = append(out.Failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String("ReceiptHandleIsInvalid"),
			Message: aws.String("stale receipt handle (test)"), SenderFault: true})
	}
	return out, nil
}

// dlqClient is SQS that counts the redrive policy reads (GetQueueAttributes
// on the consumed queue) and, with failURL, fails resolving the DLQ.
type dlqClient struct {
	*sqs.Client
	queue   string
	failURL bool
	reads   atomic.Int64
	urls    atomic.Int64
}

func (d *dlqClient) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	out, err := d.Client.GetQueueAttributes(ctx, in, opts...)
	if aws.ToString(in.QueueUrl) == d.queue {
		d.reads.Add(1)
	}
	return out, err
}

func (d *dlqClient) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	d.urls.Add(1)
	if d.failURL {
		return nil, errKilled
	}
	return d.Client.GetQueueUrl(ctx, in, opts...)
}

// logBuffer is a logger whose lines the test can read.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// flakySQS is SQS whose first receive fails and whose
// ChangeMessageVisibility always does; it counts both.
type flakySQS struct {
	*sqs.Client
	receives, visibility atomic.Int64
}

func (f *flakySQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	if f.receives.Add(1) == 1 {
		return nil, errKilled
	}
	return f.Client.ReceiveMessage(ctx, in, opts...)
}

func (f *flakySQS) ChangeMessageVisibility(context.Context, *sqs.ChangeMessageVisibilityInput, ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	f.visibility.Add(1)
	return nil, errKilled
}
