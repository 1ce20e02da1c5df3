package transport_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dargo-support/dargo/inbound/transport"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestSQSConsumerCreatesTickets(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		q := sqsSetup(t, 2)
		for i := range 6 {
			enc := []string{"UTF8", "BASE64"}[i%2]
			n := sqsReceived(fmt.Sprintf("ses-create-%d", i), sqsMail(i, fmt.Sprintf("kunde%d@customer.example", i)), enc, "")
			if i == 5 { // raw message delivery: the SES JSON itself
				body, _ := json.Marshal(n)
				q.send(t, q.main, string(body))
				continue
			}
			q.send(t, q.main, snsWrap(n))
		}
		for _, f := range []string{"subscription_confirmation_invalid_sns_body.json", "event_delivery_raw_body.json"} {
			body, err := os.ReadFile(filepath.Join("testdata", "ses", f))
			if err != nil {
				t.Fatal(err)
			}
			q.send(t, q.main, string(body))
		}
		sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: sqsPipeline(t, db), Visibility: 6 * time.Second, Retry: time.Second})
		eventually(t, 20*time.Second, "6 tickets and an empty queue", func() bool {
			return sqsCount(t, db, `SELECT COUNT(*) FROM tickets`) == 6 && q.count(t, q.main) == 0
		})
		if got := sqsCount(t, db, `SELECT COUNT(*) FROM inbound_mail WHERE ses_id = ?`, "ses-create-1"); got != 1 {
			t.Errorf("inbound_mail rows for ses-create-1: %d", got)
		}
		if got := sqsScalar(t, db, `SELECT subject FROM tickets WHERE number = 1`); got == "" {
			t.Errorf("empty subject")
		}
		if n := q.count(t, q.dlq); n != 0 {
			t.Errorf("%d messages in the DLQ", n)
		}
	})
}

func TestSQSConsumerRedeliveredFiveTimes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		q := sqsSetup(t, 2)
		body := snsWrap(sqsReceived("ses-five", sqsMail(1, "anna@customer.example"), "UTF8", ""))
		for range 5 {
			q.send(t, q.main, body)
		}
		var actions sync.Map
		p := sqsPipeline(t, db)
		count := ingestFunc(func(ctx context.Context, raw []byte, env inbound.Envelope) (inbound.Result, error) {
			res, err := p.Ingest(ctx, raw, env)
			if err == nil {
				n, _ := actions.LoadOrStore(res.Action, new(atomic.Int32))
				n.(*atomic.Int32).Add(1)
			}
			return res, err
		})
		sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: count, Processors: 4, Visibility: 6 * time.Second})
		eventually(t, 20*time.Second, "an empty queue", func() bool { return q.count(t, q.main) == 0 })
		if n := sqsCount(t, db, `SELECT COUNT(*) FROM tickets`); n != 1 {
			t.Errorf("%d tickets, want 1", n)
		}
		if n := sqsCount(t, db, `SELECT COUNT(*) FROM messages`); n != 1 {
			t.Errorf("%d messages, want 1", n)
		}
		created, dup := loadCount(&actions, store.ActionCreated), loadCount(&actions, store.ActionDuplicate)
		if created != 1 || dup != 4 {
			t.Errorf("created %d, duplicate %d; want 1 and 4", created, dup)
		}
	})
}

func loadCount(m *sync.Map, key string) int32 {
	v, ok := m.Load(key)
	if !ok {
		return 0
	}
	return v.(*atomic.Int32).Load()
}

func TestSQSConsumerPoisonInBatch(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 2)
	for i := range 10 {
		if i == 4 {
			q.send(t, q.main, `{"Type":"Notification","Message":"{not json`)
			continue
		}
		q.send(t, q.main, snsWrap(sqsReceived(fmt.Sprintf("ses-batch-%d", i), sqsMail(i, fmt.Sprintf("b%d@customer.example", i)), "UTF8", "")))
	}
	sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: sqsPipeline(t, db), Visibility: 6 * time.Second, Retry: time.Second})
	eventually(t, 20*time.Second, "9 tickets", func() bool { return sqsCount(t, db, `SELECT COUNT(*) FROM tickets`) == 9 })
	eventually(t, 30*time.Second, "the poison message in the DLQ and the main queue empty", func() bool {
		return q.count(t, q.main) == 0 && q.count(t, q.dlq) == 1
	})
	got := q.drain(t, q.dlq, 2*time.Second)
	if len(got) != 1 || *got[0].Body != `{"Type":"Notification","Message":"{not json` {
		t.Fatalf("DLQ holds %d messages, want the poison one", len(got))
	}
}

// fakeObjects is an S3 stand-in: objects by bucket/key; a missing one is
// store.ErrNotFound, as s3blob.Fetcher reports it.
type fakeObjects map[string][]byte

func (f fakeObjects) Fetch(ctx context.Context, bucket, key string) ([]byte, error) {
	raw, ok := f[bucket+"/"+key]
	if !ok {
		return nil, fmt.Errorf("s3://%s/%s: NoSuchKey: %w", bucket, key, store.ErrNotFound)
	}
	return raw, nil
}

func TestSQSConsumerS3(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 2)
	objects := fakeObjects{"dargo-mail/inbound/ses-s3-present": sqsMail(1, "s3@customer.example")}
	q.send(t, q.main, snsWrap(sqsReceived("ses-s3-present", nil, "", "dargo-mail")))
	q.send(t, q.main, snsWrap(sqsReceived("ses-s3-missing", nil, "", "dargo-mail")))
	sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: sqsPipeline(t, db), Objects: objects,
		Visibility: 6 * time.Second, Retry: time.Second})
	eventually(t, 30*time.Second, "the missing object's message in the DLQ", func() bool {
		return q.count(t, q.main) == 0 && q.count(t, q.dlq) == 1
	})
	if n := sqsCount(t, db, `SELECT COUNT(*) FROM tickets`); n != 1 {
		t.Errorf("%d tickets, want 1 (from the object that exists)", n)
	}
	if n := sqsCount(t, db, `SELECT COUNT(*) FROM inbound_mail WHERE ses_id = 'ses-s3-missing'`); n != 0 {
		t.Errorf("the missing mail was stored")
	}
}

func TestSQSConsumerWithoutObjectsIsPoison(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	q := sqsSetup(t, 1)
	q.send(t, q.main, snsWrap(sqsReceived("ses-s3-none", nil, "", "dargo-mail")))
	sqsStart(t, transport.ConsumerOpts{QueueURL: q.main, Client: q.client, Pipeline: sqsPipeline(t, db), Visibility: 6 * time.Second, Retry: time.Second})
	eventually(t, 20*time.Second, "the message in the DLQ", func() bool { return q.count(t, q.dlq) == 1 })
}
