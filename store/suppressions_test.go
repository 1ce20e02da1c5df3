package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// sentMail queues a mail to addr and marks it sent as the worker does, with
// the Message-ID we minted and the id SES gave it.
func sentMail(t *testing.T, db *store.DB, addr, headerID, sesID string) {
	t.Helper()
	ctx := context.Background()
	queue(t, db, store.QueuedEmail{To: addr, Kind: store.EmailReply, Subject: "Your sign-in link"})
	emails, err := db.Emails(ctx, addr)
	if err != nil || len(emails) == 0 {
		t.Fatalf("emails to %s: %v", addr, err)
	}
	if err := db.MarkEmailSent(ctx, emails[len(emails)-1].ID, store.Sent{HeaderID: headerID, SESID: sesID}); err != nil {
		t.Fatal(err)
	}
}

// A report suppresses an address only when it names a mail we sent to that
// same address, by our Message-ID or SES's.
func TestSuppressIfSent(t *testing.T) {
	const (
		adaHeader = "20261127.abc123@help.example.com"
		adaSES    = "0102019c6f4a11d2-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d-000000"
		bobSES    = "0102019c6f4a11d2-ffffffff-5e6f-4a7b-8c9d-0e1f2a3b4c5d-000000"
	)
	tests := []struct {
		name string
		ids  []string
		to   string
		want bool
	}{
		{"our Message-ID, to that address", []string{adaHeader}, "ada@example.com", true},
		{"in angle brackets, the address in another case", []string{"<" + adaHeader + ">"}, " ADA@Example.com", true},
		{"SES's Message-ID in its regional form", []string{"<" + adaSES + "@eu-west-1.amazonses.com>"}, "ada@example.com", true},
		{"SES's Message-ID in us-east-1's form", []string{adaSES + "@email.amazonses.com"}, "ada@example.com", true},
		{"one of several returned ids", []string{"someone-else@mx.example.org", adaHeader}, "ada@example.com", true},
		{"our mail to ada, reported for admin", []string{adaHeader}, "admin@localhost", false},
		{"SES's id of our mail to ada, reported for admin", []string{adaSES + "@eu-west-1.amazonses.com"}, "admin@localhost", false},
		{"our mail to bob, reported for ada", []string{bobSES + "@amazonses.com"}, "ada@example.com", false},
		{"an SES id under our own domain", []string{adaSES + "@help.example.com"}, "ada@example.com", false},
		{"a Message-ID we never minted", []string{"never-sent@mx.example.org"}, "ada@example.com", false},
		{"no returned Message-ID", nil, "ada@example.com", false},
		{"empty ids, the unsent mail's empty header_id", []string{"", "<>"}, "carol@example.com", false},
		{"no address", []string{adaHeader}, "", false},
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sentMail(t, db, "ada@example.com", adaHeader, adaSES)
		sentMail(t, db, "bob@example.com", "20261127.bob@help.example.com", bobSES)
		queue(t, db, store.QueuedEmail{To: "carol@example.com", Kind: store.EmailReply, Subject: "not sent yet"})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				exec(t, db, `DELETE FROM suppressions`)
				got, err := db.SuppressIfSent(ctx, tt.ids, tt.to, "bounce 5.1.1", "dsn")
				if err != nil || got != tt.want {
					t.Fatalf("SuppressIfSent(%q, %q) = %v, %v; want %v", tt.ids, tt.to, got, err, tt.want)
				}
				if n := count(t, db, `SELECT COUNT(*) FROM suppressions`); n != map[bool]int{true: 1, false: 0}[tt.want] {
					t.Errorf("%d suppressions", n)
				}
				if tt.want {
					if ok, _ := db.IsSuppressed(ctx, "ada@example.com"); !ok {
						t.Errorf("ada not suppressed")
					}
				}
			})
		}
		// Already suppressed: still a mail we sent, the first reason kept.
		if _, err := db.SuppressIfSent(ctx, []string{adaHeader}, "ada@example.com", "bounce 5.1.1", "dsn"); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.SuppressIfSent(ctx, []string{adaHeader}, "ada@example.com", "complaint", "ses-complaint"); !ok || err != nil {
			t.Fatalf("second report: %v, %v", ok, err)
		}
		if got := count(t, db, `SELECT COUNT(*) FROM suppressions WHERE reason = 'bounce 5.1.1' AND source = 'dsn'`); got != 1 {
			t.Errorf("the first reason was not kept")
		}
	})
}

// A forged report may return thousands of Message-IDs; only the first few count.
func TestSuppressIfSentManyIDs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sentMail(t, db, "ada@example.com", "ours@help.example.com", "")
		ids := make([]string, 70000)
		for i := range ids {
			ids[i] = "junk@mx.example.org"
		}
		if ok, err := db.SuppressIfSent(context.Background(), append(ids, "ours@help.example.com"), "ada@example.com", "bounce", "dsn"); ok || err != nil {
			t.Errorf("SuppressIfSent with 70,001 ids = %v, %v; want false, nil", ok, err)
		}
		if ok, err := db.SuppressIfSent(context.Background(), append([]string{"ours@help.example.com"}, ids...), "ada@example.com", "bounce", "dsn"); !ok || err != nil {
			t.Errorf("ours first = %v, %v; want true", ok, err)
		}
	})
}

func TestSuppressionsListAndLift(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		deliver(t, db, newTicket("Printer on fire"))
		const adaEmail = "alice@example.com"
		u, err := db.UserByEmail(ctx, adaEmail)
		if err != nil {
			t.Fatal(err)
		}
		ada := u.ID
		admin, err := db.SetRole(ctx, "admin@example.com", "admin")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []struct{ email, reason, source string }{
			{adaEmail, "bounce 5.1.1", "dsn"},
			{"stranger_1@example.org", "complaint: abuse", "ses-complaint"},
			{"stranger%@example.org", "ses bounce: General", "ses-bounce"},
		} {
			clock = clock.Add(time.Minute)
			if err := db.Suppress(ctx, s.email, s.reason, s.source); err != nil {
				t.Fatal(err)
			}
		}

		all, err := db.Suppressions(ctx, store.SuppressionQuery{})
		if err != nil || len(all) != 3 || all[0].Email != "stranger%@example.org" || all[2].Email != adaEmail ||
			all[2].Reason != "bounce 5.1.1" || all[2].Source != "dsn" || !all[2].CreatedAt.Equal(time.Date(2026, 12, 1, 9, 1, 0, 0, time.UTC)) {
			t.Fatalf("Suppressions = %+v, %v", all, err)
		}
		for q, want := range map[string]int{"STRANGER": 2, "_1": 1, "%": 1, "nobody": 0} {
			got, err := db.Suppressions(ctx, store.SuppressionQuery{Contains: q})
			if err != nil || len(got) != want {
				t.Errorf("Suppressions(contains %q) = %d, %v; want %d", q, len(got), err, want)
			}
		}
		if got, _ := db.Suppressions(ctx, store.SuppressionQuery{Limit: 1}); len(got) != 1 {
			t.Errorf("limit 1: %d", len(got))
		}

		// Lifted by an admin: audited with the admin and the person by id.
		s, err := db.Unsuppress(ctx, strings.ToUpper(adaEmail), admin.ID, store.LiftedOnWeb)
		if err != nil || s.Reason != "bounce 5.1.1" {
			t.Fatalf("Unsuppress = %+v, %v", s, err)
		}
		if ok, _ := db.IsSuppressed(ctx, adaEmail); ok {
			t.Errorf("still suppressed")
		}
		entries, err := db.AuditLog(ctx, store.AuditQuery{Action: store.AuditUnsuppress})
		if err != nil || len(entries) != 1 || entries[0].ActorID == nil || *entries[0].ActorID != admin.ID ||
			entries[0].UserID == nil || *entries[0].UserID != ada {
			t.Fatalf("audit = %+v, %v", entries, err)
		}
		if d := entries[0].Detail; d != `{"removed":1,"source":"dsn","via":"web"}` {
			t.Errorf("audit detail %s", d)
		}

		// An address no user has, lifted from the command line: no person,
		// no actor, and nothing of the address in the entry.
		if _, err := db.Unsuppress(ctx, "stranger_1@example.org", 0, store.LiftedByCLI); err != nil {
			t.Fatal(err)
		}
		entries, _ = db.AuditLog(ctx, store.AuditQuery{Action: store.AuditUnsuppress, Limit: 1})
		if e := entries[0]; e.ActorID != nil || e.UserID != nil || e.Detail != `{"removed":1,"source":"ses-complaint","via":"cli"}` {
			t.Errorf("audit of an unknown address: %+v", e)
		}

		// Not on the list (any more): ErrNotFound, nothing audited.
		if _, err := db.Unsuppress(ctx, adaEmail, admin.ID, store.LiftedOnWeb); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("lifting twice: %v, want ErrNotFound", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, store.AuditUnsuppress); n != 2 {
			t.Errorf("%d lift entries, want 2", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%@%'`); n != 0 {
			t.Errorf("an address in the audit log")
		}
	})
}
