package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dargo-support/dargo/internal/awslog"
	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/internal/s3blob"
)

// runInbound consumes the SQS queue an SES receipt rule feeds (and the
// feedback queue, when separate) until interrupted.
func runInbound(ctx context.Context, env *Env, args []string) error {
	c := env.Config
	if c.SQSQueueURL == "" {
		return errors.New("DARGO_SQS_QUEUE_URL is not set")
	}
	if err := requireTLS(env, usesDatabase|usesAWS); err != nil {
		return err
	}
	ready := newReadiness("database")
	ops, err := newOps(env, "inbound", ready, metrics.NewRegistry([][]prometheus.Collector{metrics.Inbound}))
	if err != nil {
		return err
	}
	defer ops.Close()
	db, err := waitDB(ctx, env, ready.dep("database"))
	if stopped(err) {
		return nil
	} else if err != nil {
		return err
	}
	defer db.Close()
	awsCfg, err := config.LoadDefaultConfig(ctx, awslog.Option())
	if err != nil {
		return fmt.Errorf("aws config: %w", err)
	}
	objects, err := s3blob.FetcherFromEnv(ctx)
	if err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	var verifier *transport.SNSVerifier
	if c.SNSVerify {
		if len(c.SNSTopicARNs) == 0 {
			return errors.New("DARGO_SNS_VERIFY is on but DARGO_SNS_TOPIC_ARNS is empty: a signature alone proves only that some topic signed the message")
		}
		verifier = &transport.SNSVerifier{TopicARNs: c.SNSTopicARNs}
	}
	opts := transport.ConsumerOpts{
		QueueURL:   c.SQSQueueURL,
		Client:     sqs.NewFromConfig(awsCfg),
		Receivers:  c.InboundReceivers,
		Processors: c.InboundProcessors,
		Visibility: c.SQSVisibility,
		Pipeline:   newPipeline(db, env),
		Objects:    objects,
		Feedback:   db,
		Verifier:   verifier,
		Ready:      db.Ping,
		Logger:     env.Log,
	}
	queues := []transport.ConsumerOpts{opts}
	if c.SQSFeedbackQueueURL != "" && c.SQSFeedbackQueueURL != c.SQSQueueURL {
		fb := opts
		fb.QueueURL, fb.Name, fb.Receivers, fb.Processors = c.SQSFeedbackQueueURL, transport.QueueFeedback, 1, 2
		queues = append(queues, fb)
	}
	env.Log.Info("inbound started", "queue", c.SQSQueueURL, "feedback_queue", c.SQSFeedbackQueueURL,
		"receivers", c.InboundReceivers, "processors", c.InboundProcessors, "visibility", c.SQSVisibility, "sns_verify", c.SNSVerify)
	var wg sync.WaitGroup
	errs := make([]error, len(queues))
	for i, q := range queues {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = transport.NewConsumer(q).Run(ctx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
