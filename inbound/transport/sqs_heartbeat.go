package transport

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// heartbeat keeps j invisible while it is processed, extending its
// visibility to Visibility every Visibility/3. The returned func stops it
// and waits for it.
func (c *Consumer) heartbeat(ctx context.Context, j job) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				c.log.Error("sqs heartbeat panicked", "panic", p, "stack", string(debug.Stack()))
			}
		}()
		t := time.NewTicker(c.opts.Visibility / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				_, err := c.opts.Client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
					QueueUrl:          aws.String(c.opts.QueueURL),
					ReceiptHandle:     j.msg.ReceiptHandle,
					VisibilityTimeout: int32(c.opts.Visibility / time.Second), // #nosec G115 -- minutes, far below int32
				})
				if err != nil && ctx.Err() == nil {
					sqsErrors(sqsOpVisibility, 1)
					c.log.Warn("sqs heartbeat failed; the message may be delivered twice (harmless)",
						"sqs_message_id", j.id(), "err", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}
