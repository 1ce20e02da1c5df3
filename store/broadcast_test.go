package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// bcUser adds a user; signedIn gives it a login, which makes it active.
func bcUser(t *testing.T, db *store.DB, email string, signedIn bool) int64 {
	t.Helper()
	var id int64
	err := db.X.Get(&id, db.X.Rebind(`INSERT INTO users (email, name, role, created_at, updated_at) VALUES (?, ?, 'customer', ?, ?) RETURNING id`),
		email, "", db.Now(), db.Now())
	if err != nil {
		t.Fatal(err)
	}
	if signedIn {
		exec(t, db, `INSERT INTO logins (user_id, created_at) VALUES (?, ?)`, id, db.Now())
	}
	return id
}

// bcAudience makes the users a broadcast must reach and those it must not,
// and returns the addresses that must get a mail (queued) and the one that
// must be recorded as suppressed.
func bcAudience(t *testing.T, db *store.DB) (want []string, suppressed string) {
	t.Helper()
	ctx := context.Background()
	for i := range 7 {
		want = append(want, fmt.Sprintf("user%d@example.com", i))
		bcUser(t, db, want[i], true)
	}
	deliver(t, db, newTicket("A ticket makes alice active")) // and queues her a confirmation
	want = append(want, "alice@example.com")
	if _, err := db.SetRole(ctx, "agent@dargo.test", "staff"); err != nil {
		t.Fatal(err)
	}
	exec(t, db, `INSERT INTO logins (user_id, created_at) SELECT id, ? FROM users WHERE email = 'agent@dargo.test'`, db.Now())
	want = append(want, "agent@dargo.test")
	bcUser(t, db, "idle@example.com", false) // never signed in, no ticket
	gone := bcUser(t, db, "gone@example.com", true)
	exec(t, db, `UPDATE users SET erased_at = ? WHERE id = ?`, db.Now(), gone)
	bcUser(t, db, "bounced@example.com", true)
	if err := db.Suppress(ctx, "bounced@example.com", "bounce", "ses"); err != nil {
		t.Fatal(err)
	}
	return want, "bounced@example.com"
}

func startBroadcast(t *testing.T, db *store.DB, subject string) *store.Broadcast {
	t.Helper()
	b, err := db.StartBroadcast(context.Background(), store.NewBroadcast{Subject: subject, Body: "We changed our privacy policy.\n\nRead it at https://example.com/privacy", ActorID: 0})
	if err != nil {
		t.Fatalf("start broadcast: %v", err)
	}
	return b
}

// queueAll runs batches until the broadcast is queued and returns how many ran.
func queueAll(t *testing.T, db *store.DB, id int64, batch int) (*store.Broadcast, int) {
	t.Helper()
	for n := 1; ; n++ {
		b, err := db.QueueBroadcastBatch(context.Background(), id, batch)
		if err != nil {
			t.Fatalf("batch %d: %v", n, err)
		}
		if b.Queued() {
			return b, n
		}
		if n > 1000 {
			t.Fatal("broadcast never finishes queueing")
		}
	}
}

// checkOncePerUser asserts one emails row per wanted address, an outbox
// row for each queued one, and nothing for anybody else.
func checkOncePerUser(t *testing.T, db *store.DB, id int64, want []string, suppressed string) {
	t.Helper()
	for _, addr := range want {
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE broadcast_id = ? AND to_email = ? AND status = 'queued' AND kind = 'broadcast'`, id, addr); n != 1 {
			t.Errorf("%s: %d queued broadcast mails, want 1", addr, n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox o JOIN emails e ON e.id = o.email_id WHERE e.broadcast_id = ? AND e.to_email = ? AND o.kind = 'broadcast'`, id, addr); n != 1 {
			t.Errorf("%s: %d outbox rows, want 1", addr, n)
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE broadcast_id = ? AND to_email = ? AND status = 'suppressed' AND reason = 'address suppressed: bounce'`, id, suppressed); n != 1 {
		t.Errorf("%s: %d suppressed rows, want 1", suppressed, n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE broadcast_id = ?`, id); n != len(want)+1 {
		t.Errorf("broadcast has %d emails rows, want %d", n, len(want)+1)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM outbox o JOIN emails e ON e.id = o.email_id WHERE e.broadcast_id = ?`, id); n != len(want) {
		t.Errorf("broadcast has %d outbox rows, want %d", n, len(want))
	}
}

func TestBroadcastQueuesEveryActiveUserOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		want, suppressed := bcAudience(t, db)
		b := startBroadcast(t, db, "Our privacy policy changed")
		if b.Total != len(want)+1 || b.Status != store.BroadcastQueueing || b.QueuedCount != 0 || b.CreatedBy != nil {
			t.Fatalf("started: %+v", b)
		}
		b, batches := queueAll(t, db, b.ID, 3)
		if batches != 4 { // 10 recipients: 3+3+3+1
			t.Errorf("%d batches, want 4", batches)
		}
		if b.QueuedCount != len(want)+1 || b.Total != b.QueuedCount || b.QueuedAt == nil || b.LastUserID == 0 {
			t.Errorf("queued: %+v", b)
		}
		checkOncePerUser(t, db, b.ID, want, suppressed)

		// Once queued, more batches change nothing.
		again, err := db.QueueBroadcastBatch(ctx, b.ID, 3)
		if err != nil || again.Status != b.Status || again.QueuedCount != b.QueuedCount || again.LastUserID != b.LastUserID || again.Total != b.Total {
			t.Errorf("batch after the end: %+v, %v; want %+v", again, err, b)
		}
		checkOncePerUser(t, db, b.ID, want, suppressed)

		// The outbox rows are what the relay reads.
		rows, err := db.OutboxDue(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		broadcast := 0
		for _, r := range rows {
			if r.Kind == store.EmailBroadcast {
				broadcast++
				if r.EmailID == nil || r.Payload != fmt.Sprintf(`{"email_id":%d}`, *r.EmailID) {
					t.Errorf("outbox row %+v", r)
				}
			}
		}
		if broadcast != len(want) {
			t.Errorf("%d pending broadcast outbox rows, want %d", broadcast, len(want))
		}

		// SELECT * FROM emails still scans, and the mail knows its broadcast.
		mails, err := db.Emails(ctx, "user0@example.com")
		if err != nil || len(mails) != 1 || mails[0].Broadcast == nil || *mails[0].Broadcast != b.ID || mails[0].Subject != "Our privacy policy changed" || mails[0].Auto {
			t.Fatalf("emails to user0: %+v, %v", mails, err)
		}
		o, err := db.Outgoing(ctx, mails[0].ID)
		if err != nil || o.User == nil || o.User.Email != "user0@example.com" || o.Ticket != nil {
			t.Errorf("outgoing: %+v, %v", o, err)
		}

		list, err := db.Broadcasts(ctx, 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("broadcasts: %+v, %v", list, err)
		}
		if p := list[0].Progress; p != (store.BroadcastProgress{Queued: len(want), Suppressed: 1}) {
			t.Errorf("progress %+v", p)
		}
		if err := db.MarkEmailSent(ctx, mails[0].ID, store.Sent{HeaderID: "x@dargo.test"}); err != nil {
			t.Fatal(err)
		}
		list, _ = db.Broadcasts(ctx, 10)
		if p := list[0].Progress; p != (store.BroadcastProgress{Queued: len(want) - 1, Sent: 1, Suppressed: 1}) {
			t.Errorf("progress after one sent: %+v", p)
		}

		log, err := db.AuditLog(ctx, store.AuditQuery{Action: store.AuditBroadcast})
		if err != nil || len(log) != 1 || log[0].ActorID != nil || log[0].Detail != fmt.Sprintf(`{"broadcast":%d,"recipients":%d}`, b.ID, len(want)+1) {
			t.Errorf("audit: %+v, %v", log, err)
		}
	})
}

func TestBroadcastResumesWithoutRepeating(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		want, suppressed := bcAudience(t, db)
		b := startBroadcast(t, db, "Policy")

		// A run stopped after two batches; another process picks it up.
		for range 2 {
			if _, err := db.QueueBroadcastBatch(ctx, b.ID, 2); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Broadcast(ctx, b.ID)
		if err != nil || got.QueuedCount != 4 || got.Queued() {
			t.Fatalf("after two batches: %+v, %v", got, err)
		}
		queueAll(t, db, b.ID, 2)
		checkOncePerUser(t, db, b.ID, want, suppressed)

		// Even a lost position repeats nobody: the unique index holds.
		exec(t, db, `UPDATE broadcasts SET last_user_id = 0, status = 'queueing' WHERE id = ?`, b.ID)
		queueAll(t, db, b.ID, 4)
		checkOncePerUser(t, db, b.ID, want, suppressed)
	})
}

func TestBroadcastRunsAtOnceTakeTurns(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var want []string
		for i := range 60 {
			want = append(want, fmt.Sprintf("p%02d@example.com", i))
			bcUser(t, db, want[i], true)
		}
		bcUser(t, db, "bounced@example.com", true)
		if err := db.Suppress(ctx, "bounced@example.com", "bounce", "ses"); err != nil {
			t.Fatal(err)
		}
		b := startBroadcast(t, db, "Policy")
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				for {
					got, err := db.QueueBroadcastBatch(ctx, b.ID, 5)
					if err != nil || got.Queued() {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		checkOncePerUser(t, db, b.ID, want, "bounced@example.com")
		got, _ := db.Broadcast(ctx, b.ID)
		if got.QueuedCount != 61 || got.Total != 61 {
			t.Errorf("counts: %+v", got)
		}
	})
}

func TestBroadcastCancelledBatchLeavesNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		want, suppressed := bcAudience(t, db)
		b := startBroadcast(t, db, "Policy")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := db.QueueBroadcastBatch(ctx, b.ID, 100); err == nil {
			t.Fatal("a batch with a cancelled context succeeded")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE broadcast_id = ?`, b.ID); n != 0 {
			t.Errorf("%d emails rows after a failed batch", n)
		}
		queueAll(t, db, b.ID, 100)
		checkOncePerUser(t, db, b.ID, want, suppressed)
	})
}

func TestStartBroadcastRefusesARepeat(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		bcUser(t, db, "a@example.com", true)
		nb := store.NewBroadcast{Subject: "Policy", Body: "Line one\nLine two", ActorID: 42}
		first, err := db.StartBroadcast(ctx, nb)
		if err != nil || first.CreatedBy == nil || *first.CreatedBy != 42 || first.Body != "Line one\nLine two" {
			t.Fatalf("start: %+v, %v", first, err)
		}
		var exists *store.BroadcastExistsError
		// The same text from a browser (CRLF, a trailing newline) is the same broadcast.
		_, err = db.StartBroadcast(ctx, store.NewBroadcast{Subject: " Policy ", Body: "Line one\r\nLine two\r\n", Again: true})
		if !errors.As(err, &exists) || exists.Broadcast.ID != first.ID || !errors.Is(err, store.ErrBroadcastExists) {
			t.Fatalf("repeat while queueing: %v", err)
		}
		queueAll(t, db, first.ID, 10)
		if _, err = db.StartBroadcast(ctx, nb); !errors.As(err, &exists) || !exists.Broadcast.Queued() {
			t.Fatalf("repeat once queued: %v", err)
		}
		nb.Again = true
		second, err := db.StartBroadcast(ctx, nb)
		if err != nil || second.ID == first.ID {
			t.Fatalf("repeat with Again: %+v, %v", second, err)
		}
		queueAll(t, db, second.ID, 10)
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'a@example.com' AND kind = 'broadcast'`); n != 2 {
			t.Errorf("two broadcasts, %d mails", n)
		}
		if _, err := db.StartBroadcast(ctx, store.NewBroadcast{Subject: "Other", Body: "Line one\nLine two"}); err != nil {
			t.Errorf("a different subject: %v", err)
		}
		if _, err := db.QueueBroadcastBatch(ctx, 999, 10); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown broadcast: %v", err)
		}
	})
}

func TestCleanBroadcast(t *testing.T) {
	long := func(n int) string { return fmt.Sprintf("%0*d", n, 0) }
	for _, tc := range []struct {
		name, subject, body string
		ok                  bool
	}{
		{"fine", "Policy", "Text", true},
		{"no subject", "  ", "Text", false},
		{"two-line subject", "Policy\r\nBcc: x@example.com", "Text", false},
		{"no text", "Policy", " \r\n ", false},
		{"longest subject", long(store.MaxBroadcastSubject), "Text", true},
		{"subject too long", long(store.MaxBroadcastSubject + 1), "Text", false},
		{"text too long", "Policy", long(store.MaxBroadcastBody + 1), false},
		{"not UTF-8", "Policy", "caf\xe9", false},
		{"tabs and lines", "Policy", "a\tb\r\nc\rd", true},
		{"control characters", "Policy", "a\x00b", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := store.CleanBroadcast(tc.subject, tc.body)
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, store.ErrBadBroadcast)) {
				t.Errorf("err = %v, want ok %v", err, tc.ok)
			}
		})
	}
}
