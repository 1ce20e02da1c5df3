package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// queue queues one email in its own transaction.
func queue(t *testing.T, db *store.DB, e store.QueuedEmail) string {
	t.Helper()
	var status string
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		status, err = tx.QueueEmail(context.Background(), e)
		return err
	})
	if err != nil {
		t.Fatalf("queue email: %v", err)
	}
	return status
}

func TestQueueEmailToSuppressedAddress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Suppress(ctx, "Bob@Example.com", "complaint", "ses"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			to         string
			auto       bool
			wantStatus string
		}{
			{"bob@example.com", false, store.EmailSuppressed},
			{"BOB@example.com ", true, store.EmailSuppressed},
			{"carol@example.com", false, store.EmailQueued},
		}
		for _, tt := range tests {
			got := queue(t, db, store.QueuedEmail{To: tt.to, Kind: store.EmailReply, Subject: "Re: hi", Auto: tt.auto})
			if got != tt.wantStatus {
				t.Errorf("QueueEmail(%q) = %q, want %q", tt.to, got, tt.wantStatus)
			}
		}
		emails, err := db.Emails(ctx, "bob@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if len(emails) != 2 {
			t.Fatalf("emails to bob = %d, want 2 (suppressed mails are still recorded)", len(emails))
		}
		for _, e := range emails {
			if e.Status != store.EmailSuppressed || !strings.Contains(e.Reason, "suppressed") || !strings.Contains(e.Reason, "complaint") {
				t.Errorf("email = %+v, want suppressed with the suppression's reason", e)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE email_id = ?`, e.ID); n != 0 {
				t.Errorf("suppressed email %d has %d outbox rows", e.ID, n)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox`); n != 1 {
			t.Errorf("outbox rows = %d, want 1 (carol's)", n)
		}
	})
}

func TestQueueEmailAutoCap(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		steps := []struct {
			name       string
			at         time.Duration // from base
			to         string
			auto       bool
			wantStatus string
		}{
			{"old mail 1", -5 * time.Hour, "loop@example.com", true, store.EmailQueued},
			{"old mail 2", -4 * time.Hour, "loop@example.com", true, store.EmailQueued},
			{"old mail 3", -3 * time.Hour, "loop@example.com", true, store.EmailQueued},
			{"1st within the hour", -50 * time.Minute, "loop@example.com", true, store.EmailQueued},
			{"2nd", -40 * time.Minute, "Loop@example.com", true, store.EmailQueued},
			{"3rd", -30 * time.Minute, "loop@example.com", true, store.EmailQueued},
			{"4th", -20 * time.Minute, "loop@example.com", true, store.EmailQueued},
			{"5th", -10 * time.Minute, "loop@example.com", true, store.EmailQueued},
			{"6th is over the cap", 0, "loop@example.com", true, store.EmailSuppressed},
			{"a person's reply is not capped", 0, "loop@example.com", false, store.EmailQueued},
			{"another address is not capped", 0, "other@example.com", true, store.EmailQueued},
			{"an hour later the window has moved on", 51 * time.Minute, "loop@example.com", true, store.EmailQueued},
		}
		for _, s := range steps {
			now := base.Add(s.at)
			db.Now = func() time.Time { return now }
			got := queue(t, db, store.QueuedEmail{To: s.to, Kind: store.EmailConfirmation, Auto: s.auto,
				Cap: 5, Window: time.Hour})
			if got != s.wantStatus {
				t.Errorf("%s: status = %q, want %q", s.name, got, s.wantStatus)
			}
		}
		var reason string
		if err := db.X.Get(&reason, `SELECT reason FROM emails WHERE status = 'suppressed'`); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(reason, "loop guard") {
			t.Errorf("reason = %q, want it to mention the loop guard", reason)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox`); n != len(steps)-1 {
			t.Errorf("outbox rows = %d, want %d", n, len(steps)-1)
		}
	})
}

func TestQueueEmailWithoutCap(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		for i := range 8 {
			if got := queue(t, db, store.QueuedEmail{To: "a@example.com", Kind: store.EmailMagicLink, Auto: true}); got != store.EmailQueued {
				t.Fatalf("mail %d: status = %q, want queued (Cap 0 is no cap)", i, got)
			}
		}
	})
}

func TestSuppress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Suppress(ctx, "Bounce@Example.com", "hard bounce", "ses"); err != nil {
			t.Fatal(err)
		}
		if err := db.Suppress(ctx, "bounce@example.com", "complaint", "ses"); err != nil {
			t.Fatalf("second Suppress: %v", err)
		}
		tests := []struct {
			email string
			want  bool
		}{
			{"bounce@example.com", true},
			{"BOUNCE@EXAMPLE.COM", true},
			{" bounce@example.com ", true},
			{"other@example.com", false},
		}
		for _, tt := range tests {
			got, err := db.IsSuppressed(ctx, tt.email)
			if err != nil || got != tt.want {
				t.Errorf("IsSuppressed(%q) = %v, %v; want %v", tt.email, got, err, tt.want)
			}
		}
		var reason string
		if err := db.X.Get(&reason, `SELECT reason FROM suppressions`); err != nil {
			t.Fatal(err)
		}
		if reason != "hard bounce" {
			t.Errorf("reason = %q, want the first one", reason)
		}
	})
}
