package inbound

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// job is one received SQS message on its way through the consumer.
type job struct {
	msg types.Message
}

func (j job) id() string { return aws.ToString(j.msg.MessageId) }

func (j job) receiveCount() string {
	return j.msg.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)]
}

// receive long-polls the queue and hands the messages to the processors
// until ctx ends; what it holds then is released.
func (c *Consumer) receive(ctx, work context.Context, n int, slots chan struct{}, jobs chan<- job) {
	log := c.log.With("receiver", n)
	failures := 0
	for ctx.Err() == nil {
		if !c.waitGate(ctx) {
			return
		}
		want := acquire(ctx, slots)
		if want == 0 {
			return
		}
		msgs, err := c.receiveOnce(ctx, want)
		for range want - len(msgs) {
			<-slots
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			wait := min(time.Duration(failures)*time.Second, 30*time.Second)
			log.Warn("sqs receive failed", "err", err, "retry_in", wait)
			sleepCtx(ctx, wait)
			continue
		}
		failures = 0
		for i, m := range msgs {
			select {
			case jobs <- job{msg: m}:
			case <-ctx.Done():
				c.release(work, msgs[i:])
				for range msgs[i:] {
					<-slots
				}
				return
			}
		}
	}
}

// acquire takes one slot, waiting for it, and up to nine more that are
// free, so that a receiver never takes more messages than the processors
// will start soon (a message waiting for a processor has no heartbeat). It
// returns how many it took, 0 when ctx ended.
func acquire(ctx context.Context, slots chan struct{}) int {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return 0
	}
	n := 1
	for n < 10 {
		select {
		case slots <- struct{}{}:
			n++
		default:
			return n
		}
	}
	return n
}

func (c *Consumer) receiveOnce(ctx context.Context, n int) (msgs []types.Message, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
			c.log.Error("sqs receive panicked", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	// A long poll takes up to 20 s; a connection that hangs must not stop the receiver.
	ctx, cancel := context.WithTimeout(ctx, 50*time.Second)
	defer cancel()
	out, err := c.opts.Client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(c.opts.QueueURL),
		MaxNumberOfMessages:         int32(n), // #nosec G115 -- at most 10, SQS's batch limit
		WaitTimeSeconds:             20,
		VisibilityTimeout:           int32(c.opts.Visibility / time.Second), // #nosec G115 -- minutes, far below int32
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
	})
	if err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// waitGate holds receiving back after a pipeline error until the pause is
// over and, when configured, Ready answers. It reports false when ctx ended.
func (c *Consumer) waitGate(ctx context.Context) bool {
	for {
		wait, closed := c.gate.pause()
		if !closed {
			return true
		}
		if !sleepCtx(ctx, wait) {
			return false
		}
		if c.opts.Ready == nil {
			return true // try again; the next mail closes or opens the gate
		}
		if err := c.opts.Ready(ctx); err != nil {
			c.log.Warn("pipeline not ready; not receiving", "err", err, "retry_in", c.opts.Retry)
			c.gate.fail(c.opts.Retry)
			continue
		}
		c.log.Info("pipeline ready again; receiving")
		c.gate.ok()
	}
}

// sleepCtx waits d and reports whether ctx is still live.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
