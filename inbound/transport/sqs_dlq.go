package transport

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/dargo-support/dargo/internal/metrics"
)

// dlqState is what the DLQ watcher remembers between reads.
type dlqState struct {
	arn, url   string // the dead-letter queue last resolved
	noneLogged bool   // "no dead-letter queue configured" was said
	failing    bool   // the last read failed (logged at warn once per streak)
}

// watchDLQ sets dargo_sqs_dlq_messages{queue=Name} to the depth of the
// queue's dead-letter queue (its RedrivePolicy) at once and then every
// DLQInterval, until ctx ends. The policy is read each time, so a DLQ
// added or changed later is picked up without a restart.
func (c *Consumer) watchDLQ(ctx context.Context) {
	var s dlqState
	t := time.NewTicker(c.opts.DLQInterval)
	defer t.Stop()
	for {
		c.pollDLQ(ctx, &s)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pollDLQ reads the depth once; a failure (or a panic) is counted in
// dargo_sqs_errors_total{op="dlq"} and tried again at the next tick.
func (c *Consumer) pollDLQ(ctx context.Context, s *dlqState) {
	defer func() {
		if p := recover(); p != nil {
			sqsErrors(sqsOpDLQ, 1)
			c.log.Error("sqs dead-letter queue read panicked", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := c.readDLQ(rctx, s)
	if err == nil {
		if s.failing {
			c.log.Info("sqs dead-letter queue depth read again")
		}
		s.failing = false
		return
	}
	if ctx.Err() != nil {
		return // shutdown
	}
	sqsErrors(sqsOpDLQ, 1)
	if !s.failing {
		c.log.Warn("sqs dead-letter queue depth not read; will retry", "every", c.opts.DLQInterval.String(), "err", err)
	}
	s.failing = true
}

func (c *Consumer) readDLQ(ctx context.Context, s *dlqState) error {
	arn, err := c.redriveTarget(ctx)
	if err != nil {
		return err
	}
	if arn == "" {
		if !s.noneLogged {
			c.log.Info("no dead-letter queue configured", "metric", "dargo_sqs_dlq_messages")
			s.noneLogged = true
		}
		metrics.DLQMessages.DeleteLabelValues(c.opts.Name)
		s.arn, s.url = "", ""
		return nil
	}
	s.noneLogged = false
	if arn != s.arn || s.url == "" {
		url, err := c.queueURL(ctx, arn)
		if err != nil {
			return err
		}
		s.arn, s.url = arn, url
	}
	out, err := c.opts.Client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(s.url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		s.url = "" // resolve again: the DLQ may have been re-created
		return fmt.Errorf("inbound: dead-letter queue %s: %w", s.arn, err)
	}
	raw := out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)]
	n, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return fmt.Errorf("inbound: dead-letter queue %s: ApproximateNumberOfMessages %q: %w", s.arn, raw, err)
	}
	metrics.DLQMessages.WithLabelValues(c.opts.Name).Set(n)
	return nil
}

// redriveTarget is the ARN of the queue's dead-letter queue, "" for none.
func (c *Consumer) redriveTarget(ctx context.Context) (string, error) {
	out, err := c.opts.Client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(c.opts.QueueURL),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameRedrivePolicy}})
	if err != nil {
		return "", fmt.Errorf("inbound: redrive policy: %w", err)
	}
	policy := out.Attributes[string(types.QueueAttributeNameRedrivePolicy)]
	if policy == "" {
		return "", nil
	}
	var rp struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	if err := json.Unmarshal([]byte(policy), &rp); err != nil {
		return "", fmt.Errorf("inbound: redrive policy: %w", err)
	}
	return rp.DeadLetterTargetArn, nil
}

// queueURL resolves an SQS queue ARN (arn:aws:sqs:region:account:name) to
// its URL.
func (c *Consumer) queueURL(ctx context.Context, arn string) (string, error) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[4] == "" || parts[5] == "" {
		return "", fmt.Errorf("inbound: dead-letter queue ARN %q is not an SQS queue's", arn)
	}
	out, err := c.opts.Client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(parts[5]),
		QueueOwnerAWSAccountId: aws.String(parts[4])})
	if err != nil {
		return "", fmt.Errorf("inbound: dead-letter queue %s: %w", arn, err)
	}
	return aws.ToString(out.QueueUrl), nil
}
