package store_test

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestSaveInboundMailKeepsRawBytes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		raw := []byte("From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n")
		m, existed, err := db.SaveInboundMail(ctx, &store.InboundMail{Key: "ses-1", SESID: "ses-1",
			Sender: "a@example.com", Recipients: "support@dargo.test"}, raw)
		if err != nil {
			t.Fatal(err)
		}
		if existed {
			t.Error("first save: existed = true")
		}
		got, err := db.InboundMail(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Size != int64(len(raw)) || got.Status != "received" || got.Verdicts != "{}" ||
			got.BlobKey != store.BlobKey("raw", raw) || got.Sender != "a@example.com" || got.ProcessedAt != nil {
			t.Errorf("row = %+v", got)
		}
		back, err := db.InboundRaw(ctx, got)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back, raw) {
			t.Errorf("InboundRaw = %q, want %q", back, raw)
		}
		_, err = db.InboundMail(ctx, m.ID+1000)
		wantNotFound(t, "InboundMail(unknown)", err)
	})
}

func TestSaveInboundMailIsIdempotentOnKey(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first, _, err := db.SaveInboundMail(ctx, &store.InboundMail{Key: "k", Sender: "first@example.com"}, []byte("first"))
		if err != nil {
			t.Fatal(err)
		}
		again, existed, err := db.SaveInboundMail(ctx, &store.InboundMail{Key: "k", Sender: "second@example.com",
			Status: "quarantined"}, []byte("second, longer"))
		if err != nil {
			t.Fatal(err)
		}
		if !existed || again.ID != first.ID {
			t.Errorf("second save = id %d existed %v, want id %d existed true", again.ID, existed, first.ID)
		}
		got, err := db.InboundMail(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Sender != "first@example.com" || got.Size != 5 || got.Status != "received" {
			t.Errorf("first row changed: %+v", got)
		}
		raw, err := db.InboundRaw(ctx, got)
		if err != nil || string(raw) != "first" {
			t.Errorf("raw = %q, %v; want first", raw, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM inbound_mail`); n != 1 {
			t.Errorf("inbound_mail rows = %d, want 1", n)
		}
	})
}

func TestFinishInboundMailAndQuarantine(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		save := func(key string) *store.InboundMail {
			t.Helper()
			m, _, err := db.SaveInboundMail(ctx, &store.InboundMail{Key: key}, []byte(key))
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		ignored, virus, spam, pending := save("ignored"), save("virus"), save("spam"), save("pending")
		outcomes := []struct {
			m *store.InboundMail
			o store.Outcome
		}{
			{ignored, store.Outcome{Status: "processed", Action: "ignored", Reason: "auto-reply"}},
			{virus, store.Outcome{Status: "quarantined", Action: "quarantined", Reason: "virus verdict FAIL"}},
			{spam, store.Outcome{Status: "quarantined", Action: "quarantined", Reason: "spam verdict FAIL"}},
		}
		for _, tt := range outcomes {
			if err := db.FinishInboundMail(ctx, tt.m.ID, tt.o); err != nil {
				t.Fatal(err)
			}
			got, err := db.InboundMail(ctx, tt.m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.o.Status || got.Action != tt.o.Action || got.Reason != tt.o.Reason ||
				got.TicketID != nil || got.MessageID != nil || got.ProcessedAt == nil {
				t.Errorf("%s: row = %+v, want outcome %+v", tt.m.Key, got, tt.o)
			}
		}
		q, err := db.Quarantined(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, m := range q {
			keys = append(keys, m.Key)
		}
		if len(keys) != 2 || keys[0] != "virus" || keys[1] != "spam" {
			t.Errorf("Quarantined = %v, want [virus spam] (oldest first)", keys)
		}
		if q, _ := db.Quarantined(ctx, 1); len(q) != 1 {
			t.Errorf("Quarantined(limit 1) gave %d rows", len(q))
		}
		got, _ := db.InboundMail(ctx, pending.ID)
		if got.Status != "received" {
			t.Errorf("untouched mail status = %q", got.Status)
		}
	})
}

// SQS may hand the same notification to two consumers at once.
func TestSaveInboundMailConcurrentlyKeepsOneRow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		const n = 10
		ids := make([]int64, n)
		existed := make([]bool, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var m *store.InboundMail
				m, existed[i], errs[i] = db.SaveInboundMail(context.Background(), &store.InboundMail{Key: "same"}, []byte("raw"))
				if m != nil {
					ids[i] = m.ID
				}
			}()
		}
		wg.Wait()
		fresh := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("save %d: %v", i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Errorf("save %d got id %d, save 0 got %d", i, ids[i], ids[0])
			}
			if !existed[i] {
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("%d saves report a new row, want 1", fresh)
		}
	})
}

// The raw save's commit skips the disk flush for its own transaction only:
// the connection it ran on still commits everything else synchronously.
func TestSaveInboundMailLazyCommitStaysLocal(t *testing.T) {
	db := testdb.Open(t, store.Postgres)
	ctx := context.Background()
	db.X.SetMaxOpenConns(1) // the save and the check share one connection
	if _, _, err := db.SaveInboundMail(ctx, &store.InboundMail{Key: "lazy-1", Sender: "a@example.com"}, []byte("Subject: hi\r\n\r\nbody\r\n")); err != nil {
		t.Fatal(err)
	}
	var setting string
	if err := db.X.GetContext(ctx, &setting, `SHOW synchronous_commit`); err != nil {
		t.Fatal(err)
	}
	if setting != "on" {
		t.Errorf("synchronous_commit after the raw save = %q, want on", setting)
	}
	var rows int
	if err := db.X.GetContext(ctx, &rows, `SELECT COUNT(*) FROM inbound_mail i JOIN blobs b ON b.key = i.blob_key WHERE i.key = 'lazy-1'`); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("raw save left %d rows with their bytes, want 1", rows)
	}
}
