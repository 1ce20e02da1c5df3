package transport_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/inbound/transport"
	"github.com/dargo-support/dargo/internal/sqlcount"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

var _ transport.BatchIngester = (*inbound.Pipeline)(nil)

// batchStore is the real store, counting its inbound writes and the
// transactions each batch committed.
type batchStore struct {
	*store.DB
	c *sqlcount.Counter

	mu            sync.Mutex
	batches       []int   // mails per RecordInboundBatch call
	batchCommits  []int64 // commits during each call
	batchFailures int
	singles       int
}

func (s *batchStore) RecordInboundBatch(ctx context.Context, ds []*store.Incoming) ([]*store.Recorded, error) {
	before := s.c.Commits()
	out, err := s.DB.RecordInboundBatch(ctx, ds)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, len(ds))
	s.batchCommits = append(s.batchCommits, s.c.Commits()-before)
	if err != nil {
		s.batchFailures++
	}
	return out, err
}

func (s *batchStore) RecordInbound(ctx context.Context, d *store.Incoming) (*store.Recorded, error) {
	s.mu.Lock()
	s.singles++
	s.mu.Unlock()
	return s.DB.RecordInbound(ctx, d)
}

func (s *batchStore) stats() (batches []int, commits []int64, failures, singles int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.batches...), append([]int64(nil), s.batchCommits...), s.batchFailures, s.singles
}

// sendTen puts ten mails on the queue before the consumer starts, so
// that its first receive takes them all; bad, when >= 0, is the one whose
// text says POISON.
func sendTen(t *testing.T, q *sqsQueues, bad int) {
	for i := range 10 {
		raw := sqsMail(i, fmt.Sprintf("kunde%d@customer.example", i))
		if i == bad {
			raw = bytes.Replace(raw, []byte("Guten Tag"), []byte("POISON"), 1)
		}
		q.send(t, q.main, snsWrap(sqsReceived(fmt.Sprintf("ses-batch-%d", i), raw, "UTF8", "")))
	}
}

func startBatch(t *testing.T, q *sqsQueues, s *batchStore) {
	p := inbound.NewPipeline(s, inbound.Opts{MailDomain: "help.example.com", Secret: "s", MaxMailBytes: 40 << 20, Logger: sqsLogger(t)})
	sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: p, Processors: 4,
		Visibility: 30 * time.Second, Retry: 30 * time.Second})
}

func TestSQSConsumerBatchCommitsOnce(t *testing.T) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			db, c := testdb.OpenCounted(t, dialect)
			q := sqsSetup(t, 5)
			sendTen(t, q, -1)
			s := &batchStore{DB: db, c: c}
			startBatch(t, q, s)
			eventually(t, 30*time.Second, "ten tickets and an empty queue", func() bool {
				return sqsCount(t, db, `SELECT COUNT(*) FROM tickets`) == 10 && q.count(t, q.main) == 0
			})
			batches, commits, failures, singles := s.stats()
			if len(batches) != 1 || batches[0] != 10 || commits[0] != 1 || failures != 0 || singles != 0 {
				t.Errorf("batches %v with commits %v, %d failed, %d recorded one by one; want one batch of 10 in 1 commit",
					batches, commits, failures, singles)
			}
			if n := sqsCount(t, db, `SELECT COUNT(*) FROM inbound_mail WHERE status = 'processed' AND action = 'created'`); n != 10 {
				t.Errorf("%d inbound mails created a ticket, want 10", n)
			}
		})
	}
}

// poisonTrigger makes the database refuse a message whose text says POISON.
func poisonTrigger(t *testing.T, db *store.DB) {
	stmts := []string{`CREATE TRIGGER poison_mail BEFORE INSERT ON messages WHEN NEW.text LIKE '%POISON%'
		BEGIN SELECT RAISE(ABORT, 'poison mail (test)'); END`}
	if db.Dialect == store.Postgres {
		stmts = []string{`CREATE FUNCTION poison_mail() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.text LIKE '%POISON%' THEN RAISE EXCEPTION 'poison mail (test)'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER poison_mail BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION poison_mail()`}
	}
	for _, s := range stmts {
		if _, err := db.X.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSQSConsumerBatchFallsBackOneByOne(t *testing.T) {
	for _, dialect := range []string{store.SQLite, store.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			db, c := testdb.OpenCounted(t, dialect)
			poisonTrigger(t, db)
			q := sqsSetup(t, 5)
			sendTen(t, q, 4)
			s := &batchStore{DB: db, c: c}
			startBatch(t, q, s)
			eventually(t, 30*time.Second, "nine tickets and one message left", func() bool {
				return sqsCount(t, db, `SELECT COUNT(*) FROM tickets`) == 9 && q.count(t, q.main) == 1
			})
			batches, commits, failures, singles := s.stats()
			if len(batches) != 1 || batches[0] != 10 || commits[0] != 0 || failures != 1 || singles != 10 {
				t.Errorf("batches %v with commits %v, %d failed, %d recorded one by one; want one failed batch of 10, then 10 one by one",
					batches, commits, failures, singles)
			}
			if n := sqsCount(t, db, `SELECT COUNT(*) FROM inbound_mail WHERE ses_id = 'ses-batch-4' AND status = 'received'`); n != 1 {
				t.Errorf("the poison mail: %d stored unprocessed, want 1 (raw kept for the retry)", n)
			}
			if n := sqsCount(t, db, `SELECT COUNT(*) FROM inbound_mail WHERE status = 'processed'`); n != 9 {
				t.Errorf("%d inbound mails processed, want 9", n)
			}
		})
	}
}
