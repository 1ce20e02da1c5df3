package transport

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/dargo-support/dargo/internal/metrics"
)

// job is one received SQS message on its way through the consumer.
type job struct {
	msg types.Message
	// batch, when set instead of msg, is the messages of one receive,
	// whose mails go to a BatchIngester together.
	batch []types.Message
}

// messages is what the job holds.
func (j job) messages() []types.Message {
	if j.batch != nil {
		return j.batch
	}
	return []types.Message{j.msg}
}

func (j job) id() string { return aws.ToString(j.msg.MessageId) }

func (j job) receiveCount() string {
	return j.msg.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)]
}

// receive long-polls the queue and hands the messages to the processors
// until ctx ends. It starts no poll after that, but a poll in flight runs on
// work and is not cancelled (SQS may hand it messages until it ends, which
// would then stay invisible for the whole visibility timeout): what it
// brings goes to a free processor, and the rest is released at once.
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
		if ctx.Err() != nil {
			freeSlots(slots, want)
			return
		}
		if c.gate.trying() && want > 1 {
			freeSlots(slots, want-1)
			want = 1
		}
		msgs, err := c.receiveOnce(work, want)
		freeSlots(slots, want-len(msgs))
		metrics.InboundInFlight.Add(float64(len(msgs)))
		if err != nil {
			if work.Err() == nil {
				sqsErrors(sqsOpReceive, 1)
			}
			if ctx.Err() != nil {
				return
			}
			failures++
			wait := min(time.Duration(failures)*time.Second, 30*time.Second)
			log.Warn("sqs receive failed", "err", err, "retry_in", wait.String())
			sleepCtx(ctx, wait)
			continue
		}
		failures = 0
		c.handOff(ctx, work, msgs, slots, jobs)
	}
}

// handOff gives msgs to the processors, waiting for them while ctx lives.
// After ctx ends a message waits for nobody: a free processor takes it
// while grace remains, otherwise it is released.
// When the pipeline takes batches, the messages go to one processor
// together.
func (c *Consumer) handOff(ctx, work context.Context, msgs []types.Message, slots chan struct{}, jobs chan<- job) {
	var unstarted []types.Message
	give := make([]job, 0, len(msgs))
	if c.batches() && len(msgs) > 1 {
		give = append(give, job{batch: msgs})
	} else {
		for _, m := range msgs {
			give = append(give, job{msg: m})
		}
	}
	for _, j := range give {
		if ctx.Err() == nil {
			select {
			case jobs <- j:
				continue
			case <-ctx.Done():
			}
		}
		if work.Err() == nil {
			select {
			case jobs <- j:
				continue
			default:
			}
		}
		unstarted = append(unstarted, j.messages()...)
	}
	if len(unstarted) > 0 {
		c.release(work, unstarted)
		freeSlots(slots, len(unstarted))
		metrics.InboundInFlight.Sub(float64(len(unstarted)))
	}
}

func freeSlots(slots chan struct{}, n int) {
	for range n {
		<-slots
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
	// A long poll takes up to PollWait; a connection that hangs must not stop the receiver.
	ctx, cancel := context.WithTimeout(ctx, c.opts.PollWait+30*time.Second)
	defer cancel()
	out, err := c.opts.Client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:            aws.String(c.opts.QueueURL),
		MaxNumberOfMessages: int32(n),                               // #nosec G115 -- at most 10, SQS's batch limit
		WaitTimeSeconds:     int32(c.opts.PollWait / time.Second),   // #nosec G115 -- at most 20
		VisibilityTimeout:   int32(c.opts.Visibility / time.Second), // #nosec G115 -- minutes, far below int32
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{
			types.MessageSystemAttributeNameApproximateReceiveCount, types.MessageSystemAttributeNameSentTimestamp},
	})
	if err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// waitGate holds receiving back while the gate is closed. When a re-check
// is due it asks Ready (one receiver at a time) or, without Ready, lets the
// receiver try. It reports false when ctx ended.
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
			return true // try: the next mail closes or opens the gate
		}
		c.recheck(ctx)
	}
}

// recheck asks Ready whether the pipeline works again, unless another
// receiver just did.
func (c *Consumer) recheck(ctx context.Context) {
	c.gate.probeMu.Lock()
	defer c.gate.probeMu.Unlock()
	if !c.gate.due() {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := c.opts.Ready(rctx); err != nil {
		if ctx.Err() == nil {
			c.gate.fail(err)
		}
		return
	}
	c.gate.ready()
}

// readyTimeout bounds one Ready call, so that a database that does not
// answer at all is re-checked like one that refuses.
const readyTimeout = 5 * time.Second

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
