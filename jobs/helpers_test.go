package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/internal/testredis"
	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/outbound"
	"github.com/dargo-support/dargo/store"
)

// redisDB is the Redis database the jobs tests use; other packages use others.
const redisDB = 14

// fakeSender records every mail it is given and answers with SES-like ids,
// or with the errors queued in errs, one per call, first.
type fakeSender struct {
	mu    sync.Mutex
	calls []sendCall
	errs  []error
	fail  error // returned on every call once errs is empty, when set
}

type sendCall struct {
	From string
	To   []string
	Raw  []byte
}

func (f *fakeSender) Send(ctx context.Context, from string, to []string, raw []byte) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, sendCall{From: from, To: to, Raw: raw})
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return "", err
	}
	if f.fail != nil {
		return "", f.fail
	}
	return fmt.Sprintf("0100018c1d2e3f4a-%08d-0000-000000", len(f.calls)), nil
}

// perRecipient counts the calls for each recipient.
func (f *fakeSender) perRecipient() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, c := range f.calls {
		out[strings.Join(c.To, ",")]++
	}
	return out
}

func (f *fakeSender) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// env is a database, a Redis and the jobs wired between them.
type env struct {
	db        *store.DB
	redis     *testredis.Redis
	redisOpt  asynq.RedisClientOpt
	client    *asynq.Client
	inspector *asynq.Inspector
	sender    *fakeSender
	handlers  *jobs.Handlers
	relay     *jobs.Relay
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	return newEnvOn(t, db, redisDB)
}

// newEnvOn is newEnv on another Redis database, for a test whose dialects
// run in parallel.
func newEnvOn(t *testing.T, db *store.DB, redisDB int) *env {
	t.Helper()
	r := testredis.Open(t, redisDB)
	e := &env{db: db, redis: r, sender: &fakeSender{}}
	e.redisOpt = asynq.RedisClientOpt{Addr: r.Addr, DB: r.DB, Password: r.Password}
	e.client = asynq.NewClient(e.redisOpt)
	t.Cleanup(func() { e.client.Close() })
	e.inspector = asynq.NewInspector(e.redisOpt)
	t.Cleanup(func() { e.inspector.Close() })
	rc := r.Client(t)
	e.handlers = jobs.NewHandlers(jobs.Opts{
		Store:  db,
		Sender: e.sender,
		Outbound: outbound.Opts{
			From:       outbound.Address{Name: "Acme Support", Email: "support@acme.test"},
			BaseURL:    "https://help.acme.test",
			MailDomain: "acme.test",
			ReplyTo:    func(n int64) string { return fmt.Sprintf("support+%d-abc@acme.test", n) },
		},
		Secret: "jobs-test-secret",
		// Every pipeline test goes through the Redis rate limit too.
		Limiter: jobs.NewLimiter(context.Background(), jobs.LimiterOpts{Redis: rc, MaxRate: 1000}),
		Redis:   rc,
		Logger:  quiet,
	})
	e.relay = jobs.NewRelay(db, e.client, quiet)
	return e
}

var quiet = slog.New(slog.DiscardHandler)

// startWorker runs an asynq server with the jobs mux until the test ends;
// retries come after 10 ms instead of seconds.
func (e *env) startWorker(t *testing.T) {
	t.Helper()
	srv := asynq.NewServer(e.redisOpt, asynq.Config{
		Concurrency:              8,
		Queues:                   jobs.DefaultQueues,
		RetryDelayFunc:           func(int, error, *asynq.Task) time.Duration { return 10 * time.Millisecond },
		DelayedTaskCheckInterval: 50 * time.Millisecond,
		TaskCheckInterval:        20 * time.Millisecond,
		ShutdownTimeout:          5 * time.Second,
		Logger:                   quietAsynq{},
		LogLevel:                 asynq.FatalLevel,
	})
	if err := srv.Start(jobs.Mux(e.handlers)); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	t.Cleanup(srv.Shutdown)
}

type quietAsynq struct{}

func (quietAsynq) Debug(...any) {}
func (quietAsynq) Info(...any)  {}
func (quietAsynq) Warn(...any)  {}
func (quietAsynq) Error(...any) {}
func (quietAsynq) Fatal(...any) {}

// waitFor polls cond until it holds, failing the test after a generous
// deadline; it asserts an outcome, not a duration.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitLong(t, what, 30*time.Second, 10*time.Millisecond, cond)
}

// waitLong is waitFor for what takes its time (an asynq lease running
// out), polling every poll and giving up after limit.
func waitLong(t *testing.T, what string, limit, poll time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(poll)
	}
}

var mailSeq sync.Mutex
var mailN int

// queueConfirmation opens a ticket from addr with a confirmation mail and
// returns the emails row id.
func queueConfirmation(t testing.TB, db *store.DB, addr string) int64 {
	t.Helper()
	mailSeq.Lock()
	mailN++
	n := mailN
	mailSeq.Unlock()
	got, err := db.RecordInbound(context.Background(), &store.Incoming{
		From:    store.Person{Email: addr, Name: "Customer"},
		Subject: "Printer on fire",
		Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: fmt.Sprintf("m%d.%d@customer.test", time.Now().UnixNano(), n),
			Subject: "Printer on fire", Text: "Help", VisibleText: "Help"},
		Confirm: true,
	})
	if err != nil {
		t.Fatalf("deliver: %v", err)
	}
	if got.ConfirmStatus != store.EmailQueued {
		t.Fatalf("confirmation status %q", got.ConfirmStatus)
	}
	emails, err := db.Emails(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	return emails[len(emails)-1].ID
}

func email(t testing.TB, db *store.DB, id int64) *store.Email {
	t.Helper()
	e, err := db.Email(context.Background(), id)
	if err != nil {
		t.Fatalf("email %d: %v", id, err)
	}
	return e
}

func pending(t testing.TB, db *store.DB) int {
	t.Helper()
	rows, err := db.OutboxDue(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

// allStatus reports whether every email has the status.
func allStatus(t testing.TB, db *store.DB, ids []int64, status string) func() bool {
	return func() bool {
		for _, id := range ids {
			if email(t, db, id).Status != status {
				return false
			}
		}
		return true
	}
}

// sendTask is the email:send task for an email, as the relay makes it.
func sendTask(t testing.TB, id int64) *asynq.Task {
	t.Helper()
	task, err := jobs.NewEmailSendTask(id, store.EmailConfirmation)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

var errTemporary = errors.New("ses: throttled")

// each runs fn per database dialect with a fresh Redis.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	testdb.Each(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}
