package transport

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/dargo-support/dargo/inbound/mailparse"
)

// SQSClient is the part of *sqs.Client the consumer uses.
type SQSClient interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
	ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
	// For the dead-letter queue's depth: the queue's RedrivePolicy, the
	// DLQ's URL and its ApproximateNumberOfMessages.
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
}

var _ SQSClient = (*sqs.Client)(nil)

// Ingester takes a raw mail into the database; *inbound.Pipeline is one.
type Ingester interface {
	Ingest(ctx context.Context, raw []byte, env mailparse.Envelope) (mailparse.Result, error)
}

// ObjectFetcher reads a mail that an SES S3 action stored.
type ObjectFetcher interface {
	Fetch(ctx context.Context, bucket, key string) ([]byte, error)
}

// ConsumerOpts configures a Consumer.
type ConsumerOpts struct {
	QueueURL string
	// Name is the queue label of the consumer's dead-letter queue depth
	// (dargo_sqs_dlq_messages): QueueInbound (default) or QueueFeedback.
	Name       string
	Client     SQSClient
	Receivers  int // concurrent long polls; default 1
	Processors int // concurrent mails in the pipeline; default 4
	// Visibility is how long a received message stays hidden; while its
	// mail is processed it is extended every Visibility/3. It is also the
	// longest a consumer killed with kill -9 holds its messages. Default 60 s.
	Visibility time.Duration
	Retry      time.Duration // visibility after a poison message; default 30 s
	// PollWait is how long a receive waits for mail (SQS long polling,
	// 1–20 s); default 20 s. Shutdown lets a poll in flight end, so Grace
	// should be longer.
	PollWait time.Duration
	// Grace is how long shutdown has, after ctx ends, for the poll in
	// flight and the mails in progress; default 25 s, inside the 30 s that
	// Heroku and Kubernetes allow after SIGTERM.
	Grace time.Duration
	// DLQInterval is how often the dead-letter queue's depth is read;
	// default 60 s.
	DLQInterval time.Duration

	Pipeline Ingester      // required when the queue carries Received notifications
	Objects  ObjectFetcher // S3 action mails; nil makes them poison
	Feedback Feedback      // Bounce and Complaint; nil makes them poison
	Verifier *SNSVerifier  // nil: signatures are not checked
	// Ready, when set, is asked whether the pipeline works again after it
	// failed (for example the database's Ping); receiving waits for it, so
	// that an outage does not use up the messages' receive counts.
	Ready  func(ctx context.Context) error
	Logger *slog.Logger
}

// Consumer reads SES notifications from an SQS queue: mail into the
// pipeline, bounces and complaints into Feedback. A message is deleted only
// after the database has committed; everything else leaves it on the queue,
// where it comes back (a redelivery is a harmless duplicate) or, after the
// queue's maxReceiveCount, moves to the dead-letter queue. When the pipeline
// fails (the database is down) the consumer stops receiving and re-checks
// after 1, 2, 4, 8 and then every 15 s; the failed messages come back after
// the same pause.
type Consumer struct {
	opts ConsumerOpts
	log  *slog.Logger
	gate *gate
}

// The queue labels of dargo_sqs_dlq_messages (ConsumerOpts.Name).
const (
	QueueInbound  = "inbound"
	QueueFeedback = "feedback"
)

// NewConsumer returns a consumer; Run starts it.
func NewConsumer(opts ConsumerOpts) *Consumer {
	if opts.Receivers <= 0 {
		opts.Receivers = 1
	}
	if opts.Processors <= 0 {
		opts.Processors = 4
	}
	if opts.Visibility <= 0 {
		opts.Visibility = time.Minute
	}
	opts.Visibility = max(opts.Visibility, time.Second) // SQS counts in seconds
	if opts.Retry <= 0 {
		opts.Retry = 30 * time.Second
	}
	if opts.PollWait <= 0 {
		opts.PollWait = 20 * time.Second
	}
	opts.PollWait = min(max(opts.PollWait.Truncate(time.Second), time.Second), 20*time.Second)
	if opts.Grace <= 0 {
		opts.Grace = 25 * time.Second
	}
	if opts.Name == "" {
		opts.Name = QueueInbound
	}
	if opts.DLQInterval <= 0 {
		opts.DLQInterval = time.Minute
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("queue", opts.QueueURL)
	return &Consumer{opts: opts, log: log, gate: &gate{log: log, probe: opts.Ready != nil}}
}

// Run consumes until ctx is cancelled, then shuts down within Grace: it
// starts no new poll but lets the polls in flight end, gives what they bring
// to free processors and releases (visibility 0) the rest at once, lets the
// mails in progress finish, releases whatever is still unstarted when Grace
// ends, flushes the pending deletes and returns nil. Nothing it received is
// left hidden. Meanwhile it reads the depth of the queue's dead-letter
// queue every DLQInterval (sqs_dlq.go). It fails only when the options are
// unusable.
func (c *Consumer) Run(ctx context.Context) error {
	if c.opts.QueueURL == "" || c.opts.Client == nil {
		return errors.New("inbound: consumer needs a queue URL and an SQS client")
	}
	// Work that must go on after ctx ends (polls in flight, mails in
	// progress, deletes, releases) runs on work, which ends Grace after ctx.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	stopAfter := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(c.opts.Grace, stopWork)
		context.AfterFunc(work, func() { t.Stop() })
	})
	defer stopAfter()

	// A slot is held by each message from its receive until it is handled
	// or released: at most a batch more than the processors can start.
	// When the pipeline takes batches, a processor starts up to ten at once.
	capacity := max(2*c.opts.Processors, 10)
	if c.batches() {
		capacity = 10 * (c.opts.Processors + 1)
	}
	slots := make(chan struct{}, capacity)
	// Unbuffered: a send succeeds only when a processor is free, which is
	// what shutdown asks before it hands over a message.
	jobs := make(chan job)
	deletes := make(chan job, 10*c.opts.Processors)

	var receivers, processors, deleter, dlq sync.WaitGroup
	dlq.Go(func() { c.watchDLQ(ctx) })
	for i := range c.opts.Receivers {
		receivers.Go(func() { c.receive(ctx, work, i, slots, jobs) })
	}
	for range c.opts.Processors {
		processors.Go(func() { c.processLoop(work, slots, jobs, deletes) })
	}
	deleter.Go(func() { c.deleteLoop(work, deletes) })

	receivers.Wait()
	close(jobs)
	processors.Wait()
	close(deletes)
	deleter.Wait()
	dlq.Wait()
	c.log.Info("sqs consumer stopped")
	return nil
}
