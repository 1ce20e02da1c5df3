package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// queuedID queues a mail to addr and returns its emails row id.
func queuedID(t *testing.T, db *store.DB, addr string) int64 {
	t.Helper()
	queue(t, db, store.QueuedEmail{To: addr, Kind: store.EmailReply, Subject: "Re: hi"})
	emails, err := db.Emails(context.Background(), addr)
	if err != nil || len(emails) == 0 {
		t.Fatalf("emails to %s: %v %v", addr, emails, err)
	}
	return emails[len(emails)-1].ID
}

func TestClaimSendTakesOverOnlyAStaleClaim(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		id := queuedID(t, db, "claim@example.com")
		const ttl = 30 * time.Second

		c, err := db.ClaimSend(ctx, id, ttl)
		if err != nil || c.Attempt != 1 || c.Interrupted {
			t.Fatalf("first claim = %+v, %v; want attempt 1, not interrupted", c, err)
		}
		// A second worker while the first is inside SES: left alone.
		now = now.Add(10 * time.Second)
		c, err = db.ClaimSend(ctx, id, ttl)
		if !errors.Is(err, store.ErrSendClaimed) || !c.Until.Equal(now.Add(20*time.Second)) {
			t.Fatalf("claim while claimed = %+v, %v; want ErrSendClaimed until the first claim runs out", c, err)
		}
		// The first worker was killed inside the SES call: after the ttl the
		// next attempt takes over and knows the mail may go twice.
		now = now.Add(25 * time.Second)
		c, err = db.ClaimSend(ctx, id, ttl)
		if err != nil || c.Attempt != 2 || !c.Interrupted {
			t.Fatalf("claim after a cut-off attempt = %+v, %v; want attempt 2, interrupted", c, err)
		}
		if err := db.MarkEmailSent(ctx, id, store.Sent{HeaderID: "<h@x>", SESID: "ses-1"}); err != nil {
			t.Fatal(err)
		}
		e, err := db.Email(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != store.EmailSent || e.Attempts != 2 || e.Interrupted != 1 || e.SendingAt != nil {
			t.Errorf("sent email = status %s attempts %d interrupted %d sending_at %v; want sent, 2, 1, cleared", e.Status, e.Attempts, e.Interrupted, e.SendingAt)
		}
		if _, err := db.ClaimSend(ctx, id, ttl); !errors.Is(err, store.ErrNotQueued) {
			t.Errorf("claim of a sent email = %v, want ErrNotQueued", err)
		}
	})
}

func TestEndAttemptCountsOnlyAnUnsureEnd(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id := queuedID(t, db, "end@example.com")
		for i, unsure := range []bool{false, true} {
			c, err := db.ClaimSend(ctx, id, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.EndAttempt(ctx, id, c.Attempt, unsure); err != nil {
				t.Fatal(err)
			}
			e, _ := db.Email(ctx, id)
			if e.SendingAt != nil || e.Attempts != i+1 || e.Interrupted != i {
				t.Errorf("after attempt %d (unsure %v): attempts %d interrupted %d sending_at %v", i+1, unsure, e.Attempts, e.Interrupted, e.SendingAt)
			}
		}
		// The claim was cleared: the next attempt does not wait.
		c, err := db.ClaimSend(ctx, id, time.Minute)
		if err != nil || c.Attempt != 3 || !c.Interrupted {
			t.Errorf("third claim = %+v, %v; want attempt 3 flagged (the unsure end may have sent it)", c, err)
		}
	})
}

// TestEndAttemptLeavesAnotherAttemptsClaim: an attempt that stalled past
// its claim ends after another attempt took over; it must not clear the
// live claim, or a third attempt would send the mail beside the second.
func TestEndAttemptLeavesAnotherAttemptsClaim(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		id := queuedID(t, db, "stalled@example.com")
		const ttl = 30 * time.Second
		stalled, err := db.ClaimSend(ctx, id, ttl)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(ttl + time.Second)
		live, err := db.ClaimSend(ctx, id, ttl)
		if err != nil || live.Attempt != stalled.Attempt+1 {
			t.Fatalf("take-over claim = %+v, %v", live, err)
		}
		if err := db.EndAttempt(ctx, id, stalled.Attempt, true); err != nil {
			t.Fatal(err)
		}
		e, _ := db.Email(ctx, id)
		if e.SendingAt == nil || !e.SendingAt.Equal(now) || e.Interrupted != 1 {
			t.Fatalf("after the stalled attempt ended: sending_at %v interrupted %d; want the live claim (%s) kept, 1", e.SendingAt, e.Interrupted, now)
		}
		if _, err := db.ClaimSend(ctx, id, ttl); !errors.Is(err, store.ErrSendClaimed) {
			t.Errorf("third claim = %v, want ErrSendClaimed (the live attempt is sending)", err)
		}
		if err := db.EndAttempt(ctx, id, live.Attempt, false); err != nil {
			t.Fatal(err)
		}
		if e, _ := db.Email(ctx, id); e.SendingAt != nil {
			t.Errorf("after the live attempt ended: sending_at %v, want cleared", e.SendingAt)
		}
	})
}

func TestStaleRelayedFindsQueuedMailAgainAfterAWait(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		waiting := queuedID(t, db, "waiting@example.com")
		sent := queuedID(t, db, "sent@example.com")
		sending := queuedID(t, db, "sending@example.com")
		unrelayed := queuedID(t, db, "later@example.com")
		rows, err := db.OutboxDue(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var relay []int64
		for _, r := range rows {
			if *r.EmailID != unrelayed {
				relay = append(relay, r.ID)
			}
		}
		if err := db.MarkRelayed(ctx, relay); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkEmailSent(ctx, sent, store.Sent{}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
		if _, err := db.ClaimSend(ctx, sending, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		now = now.Add(50 * time.Second)
		if got, _ := db.StaleRelayed(ctx, now.Add(-2*time.Minute), 30*time.Second, 10); len(got) != 0 {
			t.Fatalf("stale before two minutes = %d rows, want none", len(got))
		}
		now = now.Add(time.Minute)
		got, err := db.StaleRelayed(ctx, now.Add(-2*time.Minute), 5*time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || *got[0].EmailID != waiting {
			t.Fatalf("stale = %+v, want only the queued mail nobody is sending", got)
		}
		// Handed over again now: it waits another two minutes.
		if again, _ := db.StaleRelayed(ctx, now.Add(-2*time.Minute), 5*time.Minute, 10); len(again) != 0 {
			t.Errorf("stale right after = %d rows, want none", len(again))
		}
		// A claim older than its ttl belongs to a killed worker: stale too.
		now = now.Add(3 * time.Minute)
		got, _ = db.StaleRelayed(ctx, now.Add(-2*time.Minute), 30*time.Second, 10)
		if len(got) != 2 {
			t.Errorf("stale with a cut-off claim = %d rows, want 2", len(got))
		}
		lag, err := db.MailLag(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if lag.Queued != 3 || lag.QueuedOver2Min != 3 || lag.QueuedAge != 5*time.Minute+50*time.Second || lag.Unrelayed != 1 {
			t.Errorf("lag = %+v; want 3 queued (all over 2 min, oldest 5m50s) and 1 unrelayed", lag)
		}
	})
}

func TestMailLagCountsHeldMailFromTheEndOfItsHold(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		queue(t, db, store.QueuedEmail{To: "held@example.com", Kind: store.EmailReply, Subject: "Re: hi", NotBefore: now.Add(time.Minute)})
		if lag, err := db.MailLag(ctx); err != nil || lag.Queued != 0 || lag.QueuedAge != 0 {
			t.Fatalf("lag while held = %+v, %v; want nothing", lag, err)
		}
		now = now.Add(4 * time.Minute)
		queue(t, db, store.QueuedEmail{To: "fresh@example.com", Kind: store.EmailReply, Subject: "Re: hi"})
		lag, err := db.MailLag(ctx)
		if err != nil || lag.Queued != 2 || lag.QueuedOver2Min != 1 || lag.QueuedAge != 3*time.Minute {
			t.Errorf("lag = %+v, %v; want 2 queued, 1 over two minutes, the oldest due 3 min (from the end of its hold)", lag, err)
		}
	})
}
