package transport

import (
	"context"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// deleteFlush is how long a handled message may wait for its batch.
const deleteFlush = 100 * time.Millisecond

// deleteLoop deletes handled messages in batches of up to 10, at the
// latest deleteFlush after the first one, until deletes is closed.
func (c *Consumer) deleteLoop(ctx context.Context, deletes <-chan job) {
	var batch []job
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		timer.Stop()
		if len(batch) > 0 {
			c.deleteBatch(ctx, batch)
			batch = nil
		}
	}
	for {
		select {
		case j, ok := <-deletes:
			if !ok {
				flush()
				return
			}
			batch = append(batch, j)
			if len(batch) == 1 {
				timer.Reset(deleteFlush)
			}
			if len(batch) == 10 {
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}

// deleteBatch deletes up to 10 messages. A failure is only logged: the
// message comes back and is a duplicate then.
func (c *Consumer) deleteBatch(ctx context.Context, batch []job) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("sqs delete panicked", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	in := &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(c.opts.QueueURL)}
	for i, j := range batch {
		in.Entries = append(in.Entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: j.msg.ReceiptHandle})
	}
	out, err := c.opts.Client.DeleteMessageBatch(ctx, in)
	if err != nil {
		sqsErrors(sqsOpDelete, len(batch))
		for _, j := range batch {
			c.log.Warn("sqs delete failed; the message will come back as a duplicate", "sqs_message_id", j.id(), "err", err)
		}
		return
	}
	sqsErrors(sqsOpDelete, len(out.Failed))
	for _, f := range out.Failed {
		i, _ := strconv.Atoi(aws.ToString(f.Id))
		if i < 0 || i >= len(batch) {
			continue
		}
		c.log.Warn("sqs delete failed; the message will come back as a duplicate", "sqs_message_id", batch[i].id(),
			"code", aws.ToString(f.Code), "err", aws.ToString(f.Message))
	}
}

// release makes messages visible again at once, for another consumer.
func (c *Consumer) release(ctx context.Context, msgs []types.Message) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	for len(msgs) > 0 {
		chunk := msgs[:min(10, len(msgs))]
		msgs = msgs[len(chunk):]
		in := &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(c.opts.QueueURL)}
		for i, m := range chunk {
			in.Entries = append(in.Entries, types.ChangeMessageVisibilityBatchRequestEntry{
				Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0})
		}
		out, err := c.opts.Client.ChangeMessageVisibilityBatch(ctx, in)
		if err != nil {
			sqsErrors(sqsOpVisibility, len(chunk))
			c.log.Warn("sqs release failed; the messages come back after their visibility timeout", "count", len(chunk), "err", err)
			continue
		}
		sqsErrors(sqsOpVisibility, len(out.Failed))
		c.log.Info("sqs messages released at shutdown", "count", len(chunk)-len(out.Failed), "failed", len(out.Failed))
	}
}

// setVisibility makes a message that failed come back after d.
func (c *Consumer) setVisibility(ctx context.Context, j job, d time.Duration) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := c.opts.Client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(c.opts.QueueURL), ReceiptHandle: j.msg.ReceiptHandle, VisibilityTimeout: int32(d / time.Second)}) // #nosec G115 -- a retry delay of minutes, far below int32
	if err != nil {
		sqsErrors(sqsOpVisibility, 1)
		c.log.Warn("sqs change visibility failed", "sqs_message_id", j.id(), "err", err)
	}
}
