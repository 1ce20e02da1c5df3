package transport

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/dargo-support/dargo/inbound/mailparse"
)

// BatchIngester is an Ingester that also takes several mails together,
// committing them in one transaction when it can; *inbound.Pipeline is
// one. It answers for each mail, in order: a mail whose result has an
// error stays on the queue, the others are deleted.
type BatchIngester interface {
	Ingester
	IngestBatch(ctx context.Context, items []mailparse.Item) []mailparse.ItemResult
}

// batches reports whether the messages of one receive go to the pipeline
// together.
func (c *Consumer) batches() bool {
	_, ok := c.opts.Pipeline.(BatchIngester)
	return ok
}

// jobsOf is the messages of a batch as jobs.
func jobsOf(msgs []types.Message) []job {
	js := make([]job, len(msgs))
	for i, m := range msgs {
		js[i] = job{msg: m}
	}
	return js
}

// processBatch handles the messages of one receive together: each is
// opened (decoded, verified, its mail fetched) as process would, their
// mails go to the pipeline in one IngestBatch, and each message is then
// deleted or kept as its own outcome says. Deletes follow the commit.
func (c *Consumer) processBatch(ctx context.Context, js []job, deletes chan<- job) {
	if !c.gate.open() {
		for _, j := range js {
			c.setVisibility(ctx, j, c.gate.backoff())
		}
		return
	}
	stops := make([]func(), len(js))
	for i, j := range js {
		stops[i] = c.heartbeat(ctx, j)
	}
	outs := c.handleBatch(ctx, js)
	for _, stop := range stops {
		stop()
	}
	for i, j := range js {
		c.settle(ctx, j, outs[i], deletes)
	}
}

// handleBatch is handleSafe for several messages, whose mails the pipeline
// takes in one IngestBatch.
func (c *Consumer) handleBatch(ctx context.Context, js []job) []outcome {
	outs := make([]outcome, len(js))
	var items []mailparse.Item
	var idx []int
	var mails []*mail
	for i, j := range js {
		var m *mail
		outs[i], m = c.openSafe(ctx, j)
		if m != nil {
			items = append(items, mailparse.Item{Raw: m.raw, Env: m.env})
			idx = append(idx, i)
			mails = append(mails, m)
		}
	}
	if len(items) == 0 {
		return outs
	}
	start := time.Now()
	results := c.ingestBatchSafe(ctx, items)
	for k, i := range idx {
		if results == nil {
			outs[i] = outcomePoison
			continue
		}
		outs[i] = c.ingested(js[i], mails[k], results[k].Result, results[k].Err, start)
	}
	return outs
}

// openSafe is open with a panic turned into poison, as in handleSafe.
func (c *Consumer) openSafe(ctx context.Context, j job) (out outcome, m *mail) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("sqs message panicked", "sqs_message_id", j.id(), "receive_count", j.receiveCount(),
				"panic", p, "stack", string(debug.Stack()))
			out, m = outcomePoison, nil
		}
	}()
	return c.open(ctx, j)
}

// ingestBatchSafe is IngestBatch with a panic (nil results) making every
// mail of the batch poison.
func (c *Consumer) ingestBatchSafe(ctx context.Context, items []mailparse.Item) (results []mailparse.ItemResult) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("sqs mail batch panicked", "mails", len(items), "panic", p, "stack", string(debug.Stack()))
			results = nil
		}
	}()
	results = c.opts.Pipeline.(BatchIngester).IngestBatch(ctx, items)
	if len(results) != len(items) {
		c.log.Error("sqs mail batch: wrong number of results", "mails", len(items), "results", len(results))
		return nil
	}
	return results
}
