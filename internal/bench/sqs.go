package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/inbound/mailparse"
	"github.com/dargo-support/dargo/internal/memsqs"
)

// ingestSQS runs the real SQS consumer, shaped as `dargo inbound` is, on an
// in-memory queue. "sqs_drain": N SNS-wrapped mails already on the queue,
// consumed until the last commit. "sqs_paced": mails put on the queue at
// half the drained rate, each timed from its send to its commit.
func ingestSQS(ctx context.Context, r *run) ([]Row, error) {
	q := memsqs.New()
	var sent sync.Map // SES id -> time.Time of its send, for the paced mails
	var mu sync.Mutex
	lat := make(timing, 0, r.sizes.Paced)
	c := &committer{p: r.o.Pipeline(r.db), after: func(sesID string) {
		if t0, ok := sent.Load(sesID); ok {
			d := time.Since(t0.(time.Time))
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}
	}}
	consumer := transport.NewConsumer(transport.ConsumerOpts{QueueURL: "memsqs://bench", Client: q, Pipeline: c,
		Receivers: r.o.SQSReceivers, Processors: r.o.SQSProcessors, Visibility: r.o.SQSVisibility,
		PollWait: time.Second, // only how long the stop at the end waits for a poll
		Logger:   r.o.Log})

	m := newMails(r.o.MailDomain, "sqs", r.sizes.Mails+r.sizes.Paced)
	for i := range r.sizes.Mails {
		body, err := m.notification(i)
		if err != nil {
			return nil, err
		}
		q.Send(body)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- consumer.Run(runCtx) }()
	defer func() { stop(); <-done }()
	if err := c.wait(ctx, int64(r.sizes.Mails)); err != nil {
		return nil, err
	}
	drained := time.Since(start)
	drain := timing(nil).row("sqs_drain", r.sizes.Mails, drained, "mails/s")
	drain.Note = fmt.Sprintf("%d mails on the queue at the start; receive, pipeline, delete (receivers and processors as DARGO_INBOUND_*)", r.sizes.Mails)

	rate := max(drain.PerSecond/2, 1)
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	start = time.Now()
	for i := r.sizes.Mails; i < r.sizes.Mails+r.sizes.Paced; i++ {
		body, err := m.notification(i)
		if err != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
		sent.Store(m.sesID(i), time.Now())
		q.Send(body)
	}
	if err := c.wait(ctx, int64(r.sizes.Mails+r.sizes.Paced)); err != nil {
		return nil, err
	}
	mu.Lock()
	paced := lat.row("sqs_paced", len(lat), time.Since(start), "mails/s")
	mu.Unlock()
	paced.Note = fmt.Sprintf("sent at %.0f mails/s (half the drain rate); latency from the queue's send to the commit", rate)
	return []Row{drain, paced}, nil
}

// committer counts the mails the pipeline has taken, calling after with
// each one's SES id.
type committer struct {
	p     transport.Ingester
	n     atomic.Int64
	after func(sesID string)
}

func (c *committer) Ingest(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
	res, err := c.p.Ingest(ctx, raw, env)
	if err != nil {
		return res, err
	}
	if c.after != nil {
		c.after(env.SESID)
	}
	c.n.Add(1)
	return res, nil
}

// IngestBatch hands a batch to the pipeline together when it takes
// batches (as the consumer does with *inbound.Pipeline), one by one
// otherwise.
func (c *committer) IngestBatch(ctx context.Context, items []mailparse.Item) []mailparse.ItemResult {
	var results []mailparse.ItemResult
	if b, ok := c.p.(transport.BatchIngester); ok {
		results = b.IngestBatch(ctx, items)
	} else {
		for _, it := range items {
			res, err := c.p.Ingest(ctx, it.Raw, it.Env)
			results = append(results, mailparse.ItemResult{Result: res, Err: err})
		}
	}
	for i, r := range results {
		if r.Err != nil {
			continue
		}
		if c.after != nil {
			c.after(items[i].Env.SESID)
		}
		c.n.Add(1)
	}
	return results
}

// wait returns once n mails are in, or fails when none came in for a minute.
func (c *committer) wait(ctx context.Context, n int64) error {
	last, progress := c.n.Load(), time.Now()
	for {
		now := c.n.Load()
		if now >= n {
			return nil
		}
		if now != last {
			last, progress = now, time.Now()
		} else if time.Since(progress) > time.Minute {
			return errors.New("no mail taken for a minute")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}
