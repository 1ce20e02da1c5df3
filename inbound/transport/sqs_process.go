package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

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
		if work.Err() != nil {
			c.release(work, []types.Message{j.msg})
		} else {
			c.process(work, j, deletes)
		}
		<-slots
		metrics.InboundInFlight.Dec()
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
	return c.handle(ctx, j)
}

func (c *Consumer) handle(ctx context.Context, j job) outcome {
	body := ""
	if j.msg.Body != nil {
		body = *j.msg.Body
	}
	n, err := DecodeNotification([]byte(body))
	if err != nil {
		return c.poison(j, nil, err)
	}
	if v := c.opts.Verifier; v != nil {
		if n.SNS == nil {
			return c.poison(j, n, errors.New("inbound: unsigned (raw delivery) message while DARGO_SNS_VERIFY is on"))
		}
		if err := v.Verify(ctx, n.SNS); err != nil {
			var te *TransientError
			if errors.As(err, &te) {
				c.log.Warn("SNS certificate not available; will retry", "sqs_message_id", j.id(), "err", err)
				return mailFailed(n, outcomeFailed)
			}
			return mailFailed(n, c.poison(j, n, err))
		}
	}
	log := c.log.With("sqs_message_id", j.id(), "receive_count", j.receiveCount(), "ses_id", n.SESID)
	switch n.Kind {
	case KindSubscription:
		log.Warn("SNS subscription message, not mail: deleted", "type", n.Type,
			"topic_arn", n.SNS.TopicArn, "subscribe_url", n.SNS.SubscribeURL)
		return outcomeDone
	case KindIgnored:
		log.Info("notification of no interest: deleted", "type", n.Type)
		countFeedback(n)
		return outcomeDone
	case KindBounce, KindComplaint:
		if c.opts.Feedback == nil {
			return c.poison(j, n, errors.New("inbound: feedback notification on a consumer without Feedback"))
		}
		if err := ApplyFeedback(ctx, c.opts.Feedback, n, log); err != nil {
			log.Error("feedback not recorded; will retry", "err", err)
			return outcomeFailed
		}
		c.gate.ok()
		countFeedback(n)
		return outcomeDone
	}
	return c.ingest(ctx, j, n, log)
}

// ingest hands a Received notification's mail to the pipeline, which
// counts it in dargo_inbound_mails_total; a mail that does not get there
// is counted failed here.
func (c *Consumer) ingest(ctx context.Context, j job, n *Notification, log *slog.Logger) outcome {
	raw := n.Content
	if n.Bucket != "" {
		if c.opts.Objects == nil {
			return mailFailed(n, c.poison(j, n, fmt.Errorf("inbound: mail in s3://%s/%s but no S3 fetcher is configured", n.Bucket, n.Key)))
		}
		var err error
		if raw, err = c.opts.Objects.Fetch(ctx, n.Bucket, n.Key); err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				// S3 throttled, failed or was cut off: the object may well be
				// there, so this is no reason to give up on the message.
				log.Warn("S3 object not fetched; will retry", "bucket", n.Bucket, "key", n.Key, "err", err)
				return mailFailed(n, outcomeFailed)
			}
			return mailFailed(n, c.poison(j, n, fmt.Errorf("inbound: fetch s3://%s/%s: %w", n.Bucket, n.Key, err)))
		}
	}
	if c.opts.Pipeline == nil {
		return mailFailed(n, c.poison(j, n, errors.New("inbound: mail on a consumer without a pipeline")))
	}
	start := time.Now()
	res, err := c.opts.Pipeline.Ingest(ctx, raw, n.Envelope)
	if err != nil {
		log.Error("pipeline failed; the message stays on the queue", "err", err)
		return outcomeFailed
	}
	c.gate.ok()
	observeLatency(j, time.Now())
	log.Debug("sqs mail ingested", "action", res.Action, "took", time.Since(start).String())
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
