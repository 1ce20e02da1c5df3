package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/outbound"
	"github.com/dargo-support/dargo/store"
)

// BenchmarkRelay measures outbox rows enqueued (and marked relayed) per
// second, from each database into Redis.
func BenchmarkRelay(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			db := testdb.Open(b, dialect)
			r := testredis.Open(b, redisDB)
			client := asynq.NewClient(asynq.RedisClientOpt{Addr: r.Addr, DB: r.DB, Password: r.Password})
			defer client.Close()
			relay := jobs.NewRelay(db, client, quiet)
			queueEmails(b, db, nil, b.N)
			b.ResetTimer()
			start := time.Now()
			total := 0
			for total < b.N {
				n, err := relay.RunOnce(ctx)
				if err != nil {
					b.Fatal(err)
				}
				total += n
			}
			b.ReportMetric(float64(total)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkSendPipeline measures the email:send handler (load, build,
// compose, send, record) with a sender that answers at once: Dargo's own
// cost per mail. "handler" calls it directly (the send claim included, no
// Redis); "worker" goes through the relay, Redis and an asynq server with 8
// workers, the sent note in Redis included.
func BenchmarkSendPipeline(b *testing.B) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		b.Run(dialect+"/handler", func(b *testing.B) {
			ctx := context.Background()
			db := testdb.Open(b, dialect)
			h := jobs.NewHandlers(jobs.Opts{Store: db, Sender: instantSender{}, Outbound: benchOutbound, Logger: quiet})
			ids := newTickets(b, db, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for _, id := range ids {
				task, err := jobs.NewEmailSendTask(id, store.EmailConfirmation)
				if err != nil {
					b.Fatal(err)
				}
				if err := h.HandleEmailSend(ctx, task); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(ids))/time.Since(start).Seconds(), "mails/s")
		})
		b.Run(dialect+"/worker", func(b *testing.B) {
			ctx := context.Background()
			db := testdb.Open(b, dialect)
			r := testredis.Open(b, redisDB)
			opt := asynq.RedisClientOpt{Addr: r.Addr, DB: r.DB, Password: r.Password}
			client := asynq.NewClient(opt)
			defer client.Close()
			relay := jobs.NewRelay(db, client, quiet)
			ids := newTickets(b, db, b.N)
			// As in production: the sent note goes to the same Redis.
			h := jobs.NewHandlers(jobs.Opts{Store: db, Sender: instantSender{}, Outbound: benchOutbound, Logger: quiet, Redis: jobs.RedisClient(opt)})
			srv := asynq.NewServer(opt, asynq.Config{Concurrency: 8, Queues: jobs.DefaultQueues, TaskCheckInterval: 10 * time.Millisecond,
				Logger: quietAsynq{}, LogLevel: asynq.FatalLevel})
			b.ResetTimer()
			start := time.Now()
			if err := srv.Start(jobs.Mux(h)); err != nil {
				b.Fatal(err)
			}
			defer srv.Shutdown()
			for relayed := 0; relayed < len(ids); {
				n, err := relay.RunOnce(ctx)
				if err != nil {
					b.Fatal(err)
				}
				relayed += n
			}
			last := ids[len(ids)-1]
			for {
				var left int
				if err := db.X.GetContext(ctx, &left, `SELECT COUNT(*) FROM emails WHERE status = 'queued'`); err != nil {
					b.Fatal(err)
				}
				if left == 0 {
					break
				}
				time.Sleep(time.Millisecond)
			}
			b.ReportMetric(float64(len(ids))/time.Since(start).Seconds(), "mails/s")
			if e, err := db.Email(ctx, last); err != nil || e.Status != store.EmailSent {
				b.Fatalf("last email = %+v, %v", e, err)
			}
		})
	}
}

var benchOutbound = outbound.Opts{From: outbound.Address{Name: "Acme Support", Email: "support@acme.test"},
	BaseURL: "https://help.acme.test", MailDomain: "acme.test",
	ReplyTo: func(n int64) string { return fmt.Sprintf("support+%d-abc@acme.test", n) }}

// instantSender accepts every mail at once.
type instantSender struct{}

func (instantSender) Send(context.Context, string, []string, []byte) (string, error) {
	return "0100018c1d2e3f4a-bench", nil
}

// newTickets opens n tickets, each with its confirmation mail queued, as
// inbound mail does, and returns the emails row ids.
func newTickets(b *testing.B, db *store.DB, n int) []int64 {
	b.Helper()
	ctx := context.Background()
	for i := range n {
		_, err := db.RecordInbound(ctx, &store.Incoming{
			From:    store.Person{Email: fmt.Sprintf("c%d@customer.test", i), Name: "Customer"},
			Subject: "Benchmark",
			Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: fmt.Sprintf("bench.%d.%d@customer.test", time.Now().UnixNano(), i),
				Subject: "Benchmark", Text: "Hi", VisibleText: "Hi"},
			Confirm: true,
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	var ids []int64
	if err := db.X.SelectContext(ctx, &ids, `SELECT id FROM emails WHERE status = 'queued' ORDER BY id`); err != nil {
		b.Fatal(err)
	}
	return ids
}

// queueEmails queues n mails (with their outbox rows) to distinct
// addresses, in one transaction.
func queueEmails(b *testing.B, db *store.DB, ticket *int64, n int) []int64 {
	b.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for i := range n {
			_, err := tx.QueueEmail(ctx, store.QueuedEmail{To: fmt.Sprintf("c%d@customer.test", i), Kind: store.EmailConfirmation,
				TicketID: ticket, Subject: "Benchmark"})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	if err := db.X.SelectContext(ctx, &ids, `SELECT id FROM emails WHERE status = 'queued' ORDER BY id`); err != nil {
		b.Fatal(err)
	}
	return ids
}
