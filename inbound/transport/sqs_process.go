package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/dargo-support/dargo/inbound/mailparse"
	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/store"
)

// What became of one message.
type outcome int

const (
	outcomeDone   outcome = iota // committed or nothing to do: delete
	outcomePoison                // cannot be handled: leave for the DLQ
	outcomeFailed                // the pipeline could not work: try again later
)

// processLoop handles jobs until the receivers are gone. After ctx ends the
// receivers hand it a job only while it is free, and it starts it while
// grace remains (work lives); after that it releases what it is handed.
func (c *Consumer) processLoop(work context.Context, slots chan struct{}, jobs <-chan job, deletes chan<- job) {
	for j := range jobs {
		msgs := j.messages()
		switch {
		case work.Err() != nil:
			c.release(work, msgs)
		case j.batch != nil:
			c.processBatch(work, jobsOf(j.batch), deletes)
		default:
			c.process(work, j, deletes)
		}
		freeSlots(slots, len(msgs))
		metrics.InboundInFlight.Sub(float64(len(msgs)))
	}
}

func (c *Consumer) process(ctx context.Context, j job, deletes chan<- job) {
	if !c.gate.open() {
		// The pipeline failed a moment ago: do not hammer it, and have the
		// message back when the gate is re-checked.
		c.setVisibility(ctx, j, c.gate.backoff())
		return
	}
	stop := c.heartbeat(ctx, j)
	out := c.handleSafe(ctx, j)
	stop()
	c.settle(ctx, j, out, deletes)
}

// settle does with a handled message what its outcome asks: deletes it
// (the database has committed), or has it back later.
func (c *Consumer) settle(ctx context.Context, j job, out outcome, deletes chan<- job) {
	switch out {
	case outcomeDone:
		deletes <- j
	case outcomePoison:
		c.setVisibility(ctx, j, c.opts.Retry)
	case outcomeFailed:
		if ctx.Err() != nil {
			c.release(ctx, []types.Message{j.msg})
			return
		}
		c.setVisibility(ctx, j, c.failedVisibility(ctx, c.gate.fail(nil))) // handle logged the error
	}
}

// failedVisibility is how long a message whose mail failed stays hidden.
// When the database is down (Ready fails too) it is the gate's pause, so
// the mail is back as soon as the database is. When the database answers,
// the failure is one Ready cannot see (S3, an SNS certificate, a read-only
// database): a short visibility would use up the message's receive counts
// within seconds and send it to the dead-letter queue, so it waits Retry.
func (c *Consumer) failedVisibility(ctx context.Context, pause time.Duration) time.Duration {
	if c.opts.Ready == nil {
		return max(pause, c.opts.Retry)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if c.opts.Ready(ctx) != nil {
		return pause
	}
	return max(pause, c.opts.Retry)
}

// handleSafe is handle with a panic turned into poison: it concerns this
// message, so it must not pause the consumer like a database outage.
func (c *Consumer) handleSafe(ctx context.Context, j job) (out outcome) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("sqs message panicked", "sqs_message_id", j.id(), "receive_count", j.receiveCount(),
				"panic", p, "stack", string(debug.Stack()))
			out = outcomePoison
		}
	}()
	out, m := c.open(ctx, j)
	if m == nil {
		return out
	}
	return c.ingest(ctx, j, m)
}

// mail is a Received notification's mail, ready for the pipeline.
type mail struct {
	raw []byte
	env mailparse.Envelope
	log *slog.Logger
}

// open handles a message up to the pipeline: a notification that is not
// mail is done with here (m is nil), and one that is returns its mail.
func (c *Consumer) open(ctx context.Context, j job) (out outcome, m *mail) {
	body := ""
	if j.msg.Body != nil {
		body = *j.msg.Body
	}
	n, err := DecodeNotification([]byte(body))
	if err != nil {
		return c.poison(j, nil, err), nil
	}
	if v := c.opts.Verifier; v != nil {
		if n.SNS == nil {
			return c.poison(j, n, errors.New("inbound: unsigned (raw delivery) message while DARGO_SNS_VERIFY is on")), nil
		}
		if err := v.Verify(ctx, n.SNS); err != nil {
			var te *TransientError
			if errors.As(err, &te) {
				c.log.Warn("SNS certificate not available; will retry", "sqs_message_id", j.id(), "err", err)
				return mailFailed(n, outcomeFailed), nil
			}
			return mailFailed(n, c.poison(j, n, err)), nil
		}
	}
	log := c.log.With("sqs_message_id", j.id(), "receive_count", j.receiveCount(), "ses_id", n.SESID)
	switch n.Kind {
	case KindSubscription:
		log.Warn("SNS subscription message, not mail: deleted", "type", n.Type,
			"topic_arn", n.SNS.TopicArn, "subscribe_url", n.SNS.SubscribeURL)
		return outcomeDone, nil
	case KindIgnored:
		log.Info("notification of no interest: deleted", "type", n.Type)
		countFeedback(n)
		return outcomeDone, nil
	case KindBounce, KindComplaint:
		if c.opts.Feedback == nil {
			return c.poison(j, n, errors.New("inbound: feedback notification on a consumer without Feedback")), nil
		}
		if err := ApplyFeedback(ctx, c.opts.Feedback, n, log); err != nil {
			log.Error("feedback not recorded; will retry", "err", err)
			return outcomeFailed, nil
		}
		c.gate.ok()
		countFeedback(n)
		return outcomeDone, nil
	}
	return c.mailOf(ctx, j, n, log)
}

// mailOf reads a Received notification's mail (from S3 when the SES
// action stored it there). A mail that does not reach the pipeline, which
// counts the mails it gets in dargo_inbound_mails_total, is counted failed
// here.
func (c *Consumer) mailOf(ctx context.Context, j job, n *Notification, log *slog.Logger) (outcome, *mail) {
	raw := n.Content
	if n.Bucket != "" {
		if c.opts.Objects == nil {
			return mailFailed(n, c.poison(j, n, fmt.Errorf("inbound: mail in s3://%s/%s but no S3 fetcher is configured", n.Bucket, n.Key))), nil
		}
		var err error
		if raw, err = c.opts.Objects.Fetch(ctx, n.Bucket, n.Key); err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				// S3 throttled, failed or was cut off: the object may well be
				// there, so this is no reason to give up on the message.
				log.Warn("S3 object not fetched; will retry", "bucket", n.Bucket, "key", n.Key, "err", err)
				return mailFailed(n, outcomeFailed), nil
			}
			return mailFailed(n, c.poison(j, n, fmt.Errorf("inbound: fetch s3://%s/%s: %w", n.Bucket, n.Key, err))), nil
		}
	}
	if c.opts.Pipeline == nil {
		return mailFailed(n, c.poison(j, n, errors.New("inbound: mail on a consumer without a pipeline"))), nil
	}
	return outcomeDone, &mail{raw: raw, env: n.Envelope, log: log}
}

// ingest hands a mail to the pipeline.
func (c *Consumer) ingest(ctx context.Context, j job, m *mail) outcome {
	start := time.Now()
	res, err := c.opts.Pipeline.Ingest(ctx, m.raw, m.env)
	return c.ingested(j, m, res, err, start)
}

// ingested is the outcome of a mail the pipeline answered.
func (c *Consumer) ingested(j job, m *mail, res mailparse.Result, err error, start time.Time) outcome {
	if err != nil {
		m.log.Error("pipeline failed; the message stays on the queue", "err", err)
		return outcomeFailed
	}
	c.gate.ok()
	observeLatency(j, time.Now())
	m.log.Debug("sqs mail ingested", "action", res.Action, "took", time.Since(start).String())
	return outcomeDone
}

// mailFailed counts a Received notification whose mail did not reach the
// pipeline (which counts the mails it gets) as failed, and returns o.
func mailFailed(n *Notification, o outcome) outcome {
	if n.Kind == KindMail {
		metrics.InboundMails.WithLabelValues(store.ActionFailed).Inc()
	}
	return o
}

// poison logs a message that cannot be handled. It is not deleted: it comes
// back after Retry and the queue's redrive policy moves it to the
// dead-letter queue after maxReceiveCount receives.
func (c *Consumer) poison(j job, n *Notification, err error) outcome {
	args := []any{"sqs_message_id", j.id(), "receive_count", j.receiveCount(), "err", err}
	if n != nil {
		args = append(args, "ses_id", n.SESID, "type", n.Type)
	}
	c.log.Error("poison sqs message: left for the dead-letter queue", args...)
	return outcomePoison
}
