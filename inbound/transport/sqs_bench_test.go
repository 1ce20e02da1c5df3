package transport_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/memsqs"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// benchMail (a copy of the pipeline benchmark's) is a realistic ~20 KB multipart/alternative mail with a unique Message-ID.
func benchMail(i int64, sender string) []byte {
	para := strings.Repeat("Die Rechnung für Oktober ist doppelt — bitte prüfen. Grüße, Jürgen. ", 12)
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Bench %d <%s>\r\nTo: support@help.example.com\r\nSubject: Bench ticket %d\r\n", i, sender, i)
	fmt.Fprintf(&b, "Message-ID: <bench-%d-%d@example.com>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n", i, time.Now().UnixNano())
	b.WriteString("Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	for range 8 {
		b.WriteString(para + "\r\n\r\n")
	}
	b.WriteString("--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<div>")
	for range 8 {
		b.WriteString("<p>" + para + "</p>\r\n")
	}
	b.WriteString("</div>\r\n--b1--\r\n")
	return b.Bytes()
}

// sqsBenchMail is the ingest benchmark's ~20 KB mail, from one of 50 customers.
func sqsBenchMail(n int64) []byte {
	return benchMail(n, fmt.Sprintf("kunde%d@customer.example", n%50))
}

func benchEnvInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// committer wraps the pipeline and counts commits, calling after(sesID)
// for each mail created.
type committer struct {
	p     transport.Ingester
	n     atomic.Int64
	after func(sesID string)
}

func (c *committer) Ingest(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
	res, err := c.p.Ingest(ctx, raw, env)
	if err == nil && res.Action == store.ActionCreated {
		if c.after != nil {
			c.after(env.SESID)
		}
		c.n.Add(1)
	}
	return res, err
}

// sendBatch sends SNS-wrapped Received notifications for mails from..to-1,
// ten per SendMessageBatch, with 8 senders.
func sendBatch(b *testing.B, q *sqsQueues, prefix string, from, to int64) {
	var next atomic.Int64
	next.Store(from)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				start := next.Add(10) - 10
				if start >= to {
					return
				}
				in := &sqs.SendMessageBatchInput{QueueUrl: &q.main}
				for i := start; i < min(start+10, to); i++ {
					body := snsWrap(sqsReceived(fmt.Sprintf("%s-%d", prefix, i), sqsBenchMail(i), "UTF8", ""))
					in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.FormatInt(i, 10)), MessageBody: &body})
				}
				out, err := q.client.SendMessageBatch(context.Background(), in)
				if err != nil || len(out.Failed) > 0 {
					b.Errorf("send batch: %v %v", err, out)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkSQSThroughput: mails per second from a moto SQS queue of N
// (DARGO_BENCH_SQS_N, default 1000) SNS-wrapped ~20 KB mails into
// PostgreSQL with one consumer, at the default and a wider concurrency.
func BenchmarkSQSThroughput(b *testing.B) {
	n := int64(benchEnvInt("DARGO_BENCH_SQS_N", 1000))
	for _, shape := range []struct {
		receivers, processors int
		noop                  bool
	}{{1, 4, false}, {2, 16, false}, {1, 4, true}, {2, 16, true}} {
		name := fmt.Sprintf("receivers=%d/processors=%d", shape.receivers, shape.processors)
		if shape.noop {
			name += "/pipeline=none" // the SQS side alone: decode, receive, delete
		}
		b.Run(name, func(b *testing.B) {
			db := testdb.Open(b, store.Postgres)
			q := sqsSetup(b, 5)
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			var pipe transport.Ingester = inbound.NewPipeline(db, inbound.Opts{MailDomain: "help.example.com", Secret: "s", MaxMailBytes: 40 << 20, Logger: quiet})
			if shape.noop {
				pipe = ingestFunc(func(context.Context, []byte, inbound.Envelope) (inbound.Result, error) {
					return inbound.Result{Action: store.ActionCreated}, nil
				})
			}
			p := &committer{p: pipe}
			var elapsed time.Duration
			for round := int64(0); b.Loop(); round++ {
				b.StopTimer()
				sendBatch(b, q, fmt.Sprintf("bench-%d", round), round*n, (round+1)*n)
				want := p.n.Load() + n
				b.StartTimer()
				start := time.Now()
				ctx, cancel := context.WithCancel(context.Background())
				c := transport.NewConsumer(transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: p,
					Receivers: shape.receivers, Processors: shape.processors, Visibility: time.Minute, Logger: quiet,
					PollWait: time.Second}) // the stop after each round waits for the poll in flight
				done := make(chan error, 1)
				go func() { done <- c.Run(ctx) }()
				for p.n.Load() < want {
					time.Sleep(5 * time.Millisecond)
				}
				elapsed += time.Since(start)
				cancel()
				<-done
			}
			b.ReportMetric(float64(n*int64(b.N))/elapsed.Seconds(), "mails/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkSQSLatency: p50/p99 latency from SendMessage to commit at a
// steady 50 mails per second (DARGO_BENCH_SQS_RATE) for 10 s
// (DARGO_BENCH_SQS_SECONDS), into PostgreSQL with one default consumer.
func BenchmarkSQSLatency(b *testing.B) {
	rate := benchEnvInt("DARGO_BENCH_SQS_RATE", 50)
	seconds := benchEnvInt("DARGO_BENCH_SQS_SECONDS", 10)
	db := testdb.Open(b, store.Postgres)
	q := sqsSetup(b, 5)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var sent sync.Map // ses id -> time.Time before SendMessage
	var mu sync.Mutex
	var lat []time.Duration
	p := &committer{p: inbound.NewPipeline(db, inbound.Opts{MailDomain: "help.example.com", Secret: "s", MaxMailBytes: 40 << 20, Logger: quiet}),
		after: func(sesID string) {
			if t0, ok := sent.Load(sesID); ok {
				d := time.Since(t0.(time.Time))
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}}
	ctx, cancel := context.WithCancel(context.Background())
	c := transport.NewConsumer(transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: p, Visibility: time.Minute, Logger: quiet})
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	defer func() { cancel(); <-done }()

	total := int64(rate * seconds)
	var seq int64
	for round := 0; b.Loop(); round++ {
		want := p.n.Load() + total
		tick := time.NewTicker(time.Second / time.Duration(rate))
		var senders sync.WaitGroup
		for range total {
			<-tick.C
			i := seq
			seq++
			body := snsWrap(sqsReceived(fmt.Sprintf("lat-%d", i), sqsBenchMail(i), "UTF8", ""))
			senders.Go(func() {
				sent.Store(fmt.Sprintf("lat-%d", i), time.Now())
				if _, err := q.client.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: &q.main, MessageBody: &body}); err != nil {
					b.Error(err)
				}
			})
		}
		tick.Stop()
		senders.Wait()
		deadline := time.Now().Add(time.Minute)
		for p.n.Load() < want && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lat) == 0 {
		b.Fatal("nothing committed")
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
	b.ReportMetric(float64(len(lat)), "mails")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkSQSThroughputMemQueue is BenchmarkSQSThroughput with an
// in-memory queue instead of moto, whose per-call cost grows with the queue
// length: what one consumer and PostgreSQL manage on N
// (DARGO_BENCH_SQS_MEM_N, default 10000) SNS-wrapped ~20 KB mails.
func BenchmarkSQSThroughputMemQueue(b *testing.B) {
	n := int64(benchEnvInt("DARGO_BENCH_SQS_MEM_N", 10000))
	for _, processors := range []int{4, 16} {
		b.Run(fmt.Sprintf("processors=%d", processors), func(b *testing.B) {
			db := testdb.Open(b, store.Postgres)
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			p := &committer{p: inbound.NewPipeline(db, inbound.Opts{MailDomain: "help.example.com", Secret: "s", MaxMailBytes: 40 << 20, Logger: quiet})}
			q := memsqs.New()
			var elapsed time.Duration
			for round := int64(0); b.Loop(); round++ {
				b.StopTimer()
				for i := round * n; i < (round+1)*n; i++ {
					q.Send(snsWrap(sqsReceived(fmt.Sprintf("mem-%d", i), sqsBenchMail(i), "UTF8", "")))
				}
				want := p.n.Load() + n
				b.StartTimer()
				start := time.Now()
				ctx, cancel := context.WithCancel(context.Background())
				c := transport.NewConsumer(transport.ConsumerOpts{QueueURL: "mem", Client: q, Pipeline: p,
					Processors: processors, Visibility: time.Minute, Logger: quiet,
					PollWait: time.Second}) // the stop after each round waits for the poll in flight
				done := make(chan error, 1)
				go func() { done <- c.Run(ctx) }()
				for p.n.Load() < want {
					time.Sleep(5 * time.Millisecond)
				}
				elapsed += time.Since(start)
				cancel()
				<-done
				if q.Len() != 0 {
					b.Errorf("%d messages left on the queue", q.Len())
				}
			}
			b.ReportMetric(float64(n*int64(b.N))/elapsed.Seconds(), "mails/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}
