package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

func TestRelayEnqueuesWithTaskIDAndMailGoesOutOnce(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		db := e.db
		id := queueConfirmation(t, db, "alice@customer.test")
		rows, err := db.OutboxDue(ctx, 10)
		if err != nil || len(rows) != 1 {
			t.Fatalf("pending outbox = %v, %v; want one row", rows, err)
		}
		n, err := e.relay.RunOnce(ctx)
		if err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v; want 1, nil", n, err)
		}
		if p := pending(t, db); p != 0 {
			t.Fatalf("%d rows still pending after relay", p)
		}
		info, err := e.inspector.GetTaskInfo(jobs.QueueDefault, jobs.OutboxTaskID(rows[0].ID))
		if err != nil {
			t.Fatalf("task %s not in Redis: %v", jobs.OutboxTaskID(rows[0].ID), err)
		}
		if info.Type != jobs.TypeEmailSend || string(info.Payload) != fmt.Sprintf(`{"email_id":%d}`, id) {
			t.Errorf("task = %s %s", info.Type, info.Payload)
		}

		e.startWorker(t)
		waitFor(t, "email sent", allStatus(t, db, []int64{id}, store.EmailSent))
		if c := e.sender.count(); c != 1 {
			t.Errorf("sender called %d times, want 1", c)
		}
		got := email(t, db, id)
		if got.SESID == "" || got.HeaderID == "" || got.SentAt == nil {
			t.Fatalf("sent email = %+v, want ses_id, header_id and sent_at", got)
		}
		call := e.sender.calls[0]
		if call.From != "support@acme.test" || !slices.Equal(call.To, []string{"alice@customer.test"}) {
			t.Errorf("sent from %s to %v", call.From, call.To)
		}
		if !containsHeader(call.Raw, "Message-Id", "<"+got.HeaderID+">") {
			t.Errorf("raw mail lacks Message-ID <%s>:\n%.600s", got.HeaderID, call.Raw)
		}
		ids, err := db.ThreadIDs(ctx, *got.TicketID, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{got.HeaderID, store.SESMessageID(got.SESID)} {
			if !slices.Contains(ids, want) {
				t.Errorf("thread ids %v lack %s", ids, want)
			}
		}
		var origins []string
		if err := db.X.SelectContext(ctx, &origins, db.X.Rebind(`SELECT origin FROM thread_ids WHERE ticket_id = ? ORDER BY origin`), *got.TicketID); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(origins, "minted") || !slices.Contains(origins, "ses") {
			t.Errorf("thread id origins = %v, want minted and ses", origins)
		}
	})
}

// crashingStore is a database whose MarkRelayed fails the first time, as if
// the relay were killed after enqueueing and before marking.
type crashingStore struct {
	*store.DB
	mu      sync.Mutex
	crashed bool
}

func (s *crashingStore) MarkRelayed(ctx context.Context, ids []int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.crashed {
		s.crashed = true
		return errors.New("killed")
	}
	return s.DB.MarkRelayed(ctx, ids)
}

func TestRelayKilledBeforeMarkingSendsOnce(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var ids []int64
		for i := range 3 {
			ids = append(ids, queueConfirmation(t, e.db, fmt.Sprintf("c%d@customer.test", i)))
		}
		dying := jobs.NewRelay(&crashingStore{DB: e.db}, e.client, quiet)
		if _, err := dying.RunOnce(ctx); err == nil {
			t.Fatal("RunOnce with a failing MarkRelayed returned nil")
		}
		if p := pending(t, e.db); p != 3 {
			t.Fatalf("%d rows pending after the crash, want 3", p)
		}
		n, err := e.relay.RunOnce(ctx)
		if err != nil || n != 3 {
			t.Fatalf("second RunOnce = %d, %v; want 3 (TaskID conflicts count as enqueued)", n, err)
		}
		if p := pending(t, e.db); p != 0 {
			t.Fatalf("%d rows pending after the second pass", p)
		}
		if q, err := e.inspector.GetQueueInfo(jobs.QueueDefault); err != nil || q.Size != 3 {
			t.Fatalf("default queue = %+v, %v; want 3 tasks", q, err)
		}
		e.startWorker(t)
		waitFor(t, "emails sent", allStatus(t, e.db, ids, store.EmailSent))
		assertOncePerRecipient(t, e, 3)
	})
}

func TestTwoRelaysAtOnceSendOnce(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		other := asynq.NewClient(e.redisOpt)
		t.Cleanup(func() { other.Close() })
		relays := []*jobs.Relay{e.relay, jobs.NewRelay(e.db, other, quiet)}
		var ids []int64
		for round := range 4 {
			for i := range 5 {
				ids = append(ids, queueConfirmation(t, e.db, fmt.Sprintf("r%d-%d@customer.test", round, i)))
			}
			var wg sync.WaitGroup
			errs := make([]error, len(relays))
			for i, r := range relays {
				wg.Go(func() { _, errs[i] = r.RunOnce(ctx) })
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if p := pending(t, e.db); p != 0 {
			t.Fatalf("%d rows pending", p)
		}
		e.startWorker(t)
		waitFor(t, "emails sent", allStatus(t, e.db, ids, store.EmailSent))
		assertOncePerRecipient(t, e, len(ids))
	})
}

func TestRelayWithRedisDownMarksNothing(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var ids []int64
		for i := range 20 {
			ids = append(ids, queueConfirmation(t, e.db, fmt.Sprintf("d%d@customer.test", i)))
		}
		down := asynq.NewClient(asynq.RedisClientOpt{Addr: closedAddr(t), DialTimeout: 200 * time.Millisecond})
		t.Cleanup(func() { down.Close() })
		n, err := jobs.NewRelay(e.db, down, quiet).RunOnce(ctx)
		if err == nil || n != 0 {
			t.Fatalf("RunOnce with Redis down = %d, %v; want 0 and an error", n, err)
		}
		if p := pending(t, e.db); p != 20 {
			t.Fatalf("%d rows pending, want all 20 kept", p)
		}
		// Redis is back.
		if n, err := e.relay.RunOnce(ctx); err != nil || n != 20 {
			t.Fatalf("RunOnce = %d, %v; want 20", n, err)
		}
		e.startWorker(t)
		waitFor(t, "emails sent", allStatus(t, e.db, ids, store.EmailSent))
		assertOncePerRecipient(t, e, 20)
	})
}

// panickyStore panics on its first OutboxDue.
type panickyStore struct {
	*store.DB
	mu       sync.Mutex
	panicked bool
}

func (s *panickyStore) OutboxDue(ctx context.Context, limit int) ([]store.OutboxRow, error) {
	s.mu.Lock()
	first := !s.panicked
	s.panicked = true
	s.mu.Unlock()
	if first {
		panic("boom")
	}
	return s.DB.OutboxDue(ctx, limit)
}

func TestRelayRunSurvivesPanicsAndStopsWithContext(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id := queueConfirmation(t, e.db, "run@customer.test")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			jobs.NewRelay(&panickyStore{DB: e.db}, e.client, quiet).Run(ctx, 10*time.Millisecond)
		}()
		waitFor(t, "outbox relayed", func() bool { return pending(t, e.db) == 0 })
		cancel()
		<-done
		e.startWorker(t)
		waitFor(t, "email sent", allStatus(t, e.db, []int64{id}, store.EmailSent))
	})
}

func assertOncePerRecipient(t *testing.T, e *env, want int) {
	t.Helper()
	per := e.sender.perRecipient()
	if len(per) != want {
		t.Errorf("mailed %d recipients, want %d", len(per), want)
	}
	for to, n := range per {
		if n != 1 {
			t.Errorf("%s mailed %d times", to, n)
		}
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// flakyStore fails its first n OutboxDue calls, as a database that is
// restarting.
type flakyStore struct {
	*store.DB
	mu sync.Mutex
	n  int
}

func (s *flakyStore) OutboxDue(ctx context.Context, limit int) ([]store.OutboxRow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n > 0 {
		s.n--
		return nil, errors.New("connection refused")
	}
	return s.DB.OutboxDue(ctx, limit)
}

func TestRelayRunLogsAFailureOnce(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		queueConfirmation(t, e.db, "flaky@customer.test")
		var logs syncBuffer
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			jobs.NewRelay(&flakyStore{DB: e.db, n: 5}, e.client, slog.New(slog.NewTextHandler(&logs, nil))).Run(ctx, time.Millisecond)
		}()
		// The pass that relays the rows logs the recovery after it
		// returns: wait for that log, not for the rows, before stopping
		// the loop (a cancel in between would skip it).
		waitFor(t, "recovery logged", func() bool { return strings.Contains(logs.String(), "outbox relay recovered") })
		cancel()
		<-done
		if n := pending(t, e.db); n != 0 {
			t.Errorf("%d rows left in the outbox", n)
		}
		out := logs.String()
		if n := strings.Count(out, "outbox relay failing"); n != 1 {
			t.Errorf("logged the failure %d times over 5 failing passes:\n%s", n, out)
		}
		if n := strings.Count(out, "outbox relay recovered"); n != 1 {
			t.Errorf("logged the recovery %d times:\n%s", n, out)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for a logger in another goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
