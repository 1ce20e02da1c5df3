package transport_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/memsqs"
	"github.com/dargo-support/dargo/internal/testaws"
	"github.com/dargo-support/dargo/store"
)

// sqsQueues is a main queue with a dead-letter queue on moto.
type sqsQueues struct {
	client *sqs.Client
	main   string
	dlq    string
}

var sqsQueueSeq atomic.Int64

// sqsSetup creates a DLQ and a main queue that moves a message there after
// maxReceive receives, with a 2 s visibility timeout.
func sqsSetup(t testing.TB, maxReceive int) *sqsQueues {
	t.Helper()
	testaws.Env(t, testaws.Moto(t))
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := sqs.NewFromConfig(cfg)
	name := fmt.Sprintf("dargo-%d-%d", time.Now().UnixNano(), sqsQueueSeq.Add(1))
	dlq, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-dlq")})
	if err != nil {
		t.Fatalf("create DLQ: %v", err)
	}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	redrive, _ := json.Marshal(map[string]string{
		"deadLetterTargetArn": attrs.Attributes[string(types.QueueAttributeNameQueueArn)],
		"maxReceiveCount":     strconv.Itoa(maxReceive),
	})
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{
		string(types.QueueAttributeNameVisibilityTimeout): "2",
		string(types.QueueAttributeNameRedrivePolicy):     string(redrive),
	}})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	return &sqsQueues{client: client, main: *q.QueueUrl, dlq: *dlq.QueueUrl}
}

func (q *sqsQueues) send(t testing.TB, queueURL, body string) {
	t.Helper()
	if _, err := q.client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &queueURL, MessageBody: &body}); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// count is the number of messages in a queue, visible or in flight.
func (q *sqsQueues) count(t testing.TB, queueURL string) int {
	t.Helper()
	out, err := q.client.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &queueURL,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
	b, _ := strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return a + b
}

// drain receives what is visible in a queue now (without deleting it).
func (q *sqsQueues) drain(t testing.TB, queueURL string, wait time.Duration) []types.Message {
	t.Helper()
	var out []types.Message
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		r, err := q.client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: &queueURL,
			MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r.Messages...)
	}
	return out
}

// sqsMail is a small raw mail from sender with a unique Message-ID.
func sqsMail(n int, sender string) []byte {
	return fmt.Appendf(nil, "Return-Path: <%s>\r\nFrom: Kunde %d <%s>\r\nTo: support@help.example.com\r\n"+
		"Subject: =?UTF-8?Q?Frage_Nr=2E_%d_=C3=BCber_die_Rechnung?=\r\nMessage-ID: <sqs-%d-%d@customer.example>\r\n"+
		"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"+
		"Content-Transfer-Encoding: 8bit\r\n\r\nGuten Tag, die Rechnung Nr. %d ist doppelt. Grüße\r\n",
		sender, n, sender, n, n, time.Now().UnixNano(), n)
}

// sqsReceived is the SES Received notification for raw, in the shape SES
// sends it: SNS action with inline content (UTF8 or BASE64), or an S3
// action when bucket is set.
func sqsReceived(sesID string, raw []byte, encoding, bucket string) map[string]any {
	action := map[string]any{"type": "SNS", "topicArn": "arn:aws:sns:us-east-1:111122223333:dargo-inbound", "encoding": encoding}
	if bucket != "" {
		action = map[string]any{"type": "S3", "topicArn": "arn:aws:sns:us-east-1:111122223333:dargo-inbound",
			"bucketName": bucket, "objectKeyPrefix": "inbound/", "objectKey": "inbound/" + sesID}
	}
	from := "kunde@customer.example"
	if i := strings.Index(string(raw), "Return-Path: <"); i >= 0 {
		rest := string(raw[i+len("Return-Path: <"):])
		from = rest[:strings.IndexByte(rest, '>')]
	}
	pass := map[string]string{"status": "PASS"}
	n := map[string]any{
		"notificationType": "Received",
		"mail": map[string]any{"timestamp": "2026-11-02T10:00:00.000Z", "source": from, "messageId": sesID,
			"destination": []string{"support@help.example.com"}, "headersTruncated": false,
			"headers":       []map[string]string{{"name": "From", "value": from}},
			"commonHeaders": map[string]any{"from": []string{from}, "to": []string{"support@help.example.com"}}},
		"receipt": map[string]any{"timestamp": "2026-11-02T10:00:00.000Z", "processingTimeMillis": 300,
			"recipients": []string{"support@help.example.com"}, "spamVerdict": pass, "virusVerdict": pass,
			"spfVerdict": pass, "dkimVerdict": pass, "dmarcVerdict": pass, "action": action},
	}
	switch {
	case bucket != "":
	case encoding == "BASE64":
		n["content"] = base64.StdEncoding.EncodeToString(raw)
	default:
		n["content"] = string(raw)
	}
	return n
}

var snsSeq atomic.Int64

// snsWrap puts an SES notification into an SNS envelope as SNS delivers it to SQS.
func snsWrap(notification map[string]any) string {
	inner, _ := json.Marshal(notification)
	env, _ := json.Marshal(snsWrapMessage(string(inner)))
	return string(env)
}

func snsWrapMessage(inner string) *transport.SNSMessage {
	return &transport.SNSMessage{
		Type: "Notification", MessageID: fmt.Sprintf("6a1f3c2e-0000-4000-8000-%012d", snsSeq.Add(1)),
		TopicArn: "arn:aws:sns:us-east-1:111122223333:dargo-inbound", Subject: "Amazon SES Email Receipt Notification",
		Message: inner, Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), SignatureVersion: "1",
		Signature:      "ZmFrZQ==",
		SigningCertURL: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem",
	}
}

// ingestFunc adapts a func to transport.Ingester.
type ingestFunc func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error)

func (f ingestFunc) Ingest(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
	return f(ctx, raw, env)
}

func sqsLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func sqsPipeline(t testing.TB, db *store.DB) *inbound.Pipeline {
	return inbound.NewPipeline(db, inbound.Opts{MailDomain: "help.example.com", Secret: "s", MaxMailBytes: 40 << 20, Logger: sqsLogger(t)})
}

// sqsStart runs a consumer until the returned stop is called (or the test
// ends); stop waits for Run and fails the test if Run failed.
func sqsStart(t testing.TB, opts transport.ConsumerOpts) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	wait := sqsRun(t, ctx, opts)
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); wait() }) }
	t.Cleanup(stop)
	return stop
}

// sqsRun runs a consumer until ctx ends; wait waits for Run to return.
// Unless the test says otherwise its long polls wait 1 s, so that a stop
// does not wait out a 20 s poll in flight.
func sqsRun(t testing.TB, ctx context.Context, opts transport.ConsumerOpts) (wait func()) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = sqsLogger(t)
	}
	if opts.PollWait == 0 {
		opts.PollWait = time.Second
	}
	c := transport.NewConsumer(opts)
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	wait = func() {
		once.Do(func() {
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(time.Minute):
				t.Errorf("Run did not return within a minute of cancellation")
			}
		})
	}
	t.Cleanup(wait)
	return wait
}

// eventually polls cond until it holds or timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func sqsCount(t testing.TB, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.X.Get(&n, db.X.Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func sqsScalar(t testing.TB, db *store.DB, query string, args ...any) string {
	t.Helper()
	var s string
	if err := db.X.Get(&s, db.X.Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return s
}

var errDatabaseDown = errors.New("database down (test)")

// watchClient is a real SQS client that tells the test what the consumer
// asks of SQS: the polls it starts, the messages they bring, the
// visibility it sets and the messages it releases.
type watchClient struct {
	*sqs.Client
	polls    chan struct{} // one value per ReceiveMessage started, if there is room
	mu       sync.Mutex
	pollsN   int
	wants    []int32          // MaxNumberOfMessages of each poll
	received []string         // message ids, in the order the polls returned them
	set      map[string]int32 // message id -> last ChangeMessageVisibility
	released []string         // message ids made visible by ChangeMessageVisibilityBatch (0)
	handles  map[string]string
}

func newWatchClient(c *sqs.Client) *watchClient {
	return &watchClient{Client: c, polls: make(chan struct{}, 100), set: map[string]int32{}, handles: map[string]string{}}
}

func (w *watchClient) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	w.mu.Lock()
	w.pollsN++
	w.wants = append(w.wants, in.MaxNumberOfMessages)
	w.mu.Unlock()
	select {
	case w.polls <- struct{}{}:
	default:
	}
	out, err := w.Client.ReceiveMessage(ctx, in, opts...)
	if err == nil {
		w.mu.Lock()
		for _, m := range out.Messages {
			w.received = append(w.received, *m.MessageId)
			w.handles[*m.ReceiptHandle] = *m.MessageId
		}
		w.mu.Unlock()
	}
	return out, err
}

func (w *watchClient) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	w.mu.Lock()
	w.set[w.handles[*in.ReceiptHandle]] = in.VisibilityTimeout
	w.mu.Unlock()
	return w.Client.ChangeMessageVisibility(ctx, in, opts...)
}

func (w *watchClient) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	out, err := w.Client.ChangeMessageVisibilityBatch(ctx, in, opts...)
	if err == nil {
		w.mu.Lock()
		for _, e := range in.Entries {
			if e.VisibilityTimeout == 0 {
				w.released = append(w.released, w.handles[*e.ReceiptHandle])
			}
		}
		w.mu.Unlock()
	}
	return out, err
}

// stats is how many polls were started, messages received and released.
func (w *watchClient) stats() (polls, received, released int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pollsN, len(w.received), len(w.released)
}

// batchSizes are the MaxNumberOfMessages of the polls, in order.
func (w *watchClient) batchSizes() []int32 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.wants)
}

// receivedIDs are the ids of the messages received, in order.
func (w *watchClient) receivedIDs() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.received)
}

func (w *watchClient) hasVisibility(id string) bool {
	_, ok := w.visibility(id)
	return ok
}

// visibility is the last visibility the consumer set for a message.
func (w *watchClient) visibility(id string) (int32, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	v, ok := w.set[id]
	return v, ok
}

var _ transport.SQSClient = (*memsqs.Queue)(nil)
