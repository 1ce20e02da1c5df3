package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

func TestOutboxLagWarnsPastThreshold(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var logs bytes.Buffer
		h := jobs.NewHandlers(jobs.Opts{Store: e.db, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		lag := jobs.NewOutboxLagTask()
		if err := h.HandleOutboxLag(ctx, lag); err != nil {
			t.Fatal(err)
		}
		queueConfirmation(t, e.db, "lag1@customer.test")
		queueConfirmation(t, e.db, "lag2@customer.test")
		if err := h.HandleOutboxLag(ctx, lag); err != nil {
			t.Fatal(err)
		}
		if logs.Len() != 0 {
			t.Fatalf("warned about fresh rows: %s", logs.String())
		}
		now := e.db.Now
		e.db.Now = func() time.Time { return now().Add(5 * time.Minute) }
		defer func() { e.db.Now = now }()
		if err := h.HandleOutboxLag(ctx, lag); err != nil {
			t.Fatal(err)
		}
		out := logs.String()
		for _, want := range []string{"level=WARN", "outbox relay lagging", "task_type=outbox:lag", "count=2", "age=5m"} {
			if !strings.Contains(out, want) {
				t.Errorf("log %q lacks %q", out, want)
			}
		}
	})
}

// TestSweepsRemoveExpiredTokensAndSessions: with an injected clock, what
// has expired goes and what has not stays.
func TestSweepsRemoveExpiredTokensAndSessions(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		base := time.Now().UTC()
		at := base
		e.db.Now = func() time.Time { return at }
		var logs bytes.Buffer
		h := jobs.NewHandlers(jobs.Opts{Store: e.db, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		for i, hash := range []string{"t1", "t2", "t3"} {
			err := e.db.RequestLogin(ctx, store.LoginRequest{TokenHash: hash, Email: "ada@example.com", TTL: 15 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				if _, err := e.db.ConfirmLogin(ctx, store.Login{TokenHash: hash, SessionHash: "s1", SessionTTL: 7 * 24 * time.Hour}); err != nil {
					t.Fatal(err)
				}
			}
			at = at.Add(5 * time.Minute)
		}
		// t1 made at 0, t2 at 5, t3 at 10 minutes; now 20: t1 and t2 expired.
		at = base.Add(20*time.Minute + time.Second)
		if err := h.HandleSweepTokens(ctx, jobs.NewSweepTokensTask()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.TokenEmail(ctx, "t3"); err != nil {
			t.Errorf("live token swept: %v", err)
		}
		var left int
		e.db.X.Get(&left, `SELECT COUNT(*) FROM login_tokens`)
		if left != 1 {
			t.Errorf("tokens left = %d, want 1", left)
		}
		if err := h.HandleSweepSessions(ctx, jobs.NewSweepSessionsTask()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.db.SessionUser(ctx, "s1"); err != nil {
			t.Errorf("live session swept: %v", err)
		}
		at = base.Add(7*24*time.Hour + time.Minute)
		if err := h.HandleSweepSessions(ctx, jobs.NewSweepSessionsTask()); err != nil {
			t.Fatal(err)
		}
		e.db.X.Get(&left, `SELECT COUNT(*) FROM sessions`)
		if left != 0 {
			t.Errorf("sessions left = %d, want 0", left)
		}
		for _, want := range []string{"task_type=sweep:tokens removed=2", "task_type=sweep:sessions removed=0", "task_type=sweep:sessions removed=1"} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("logs lack %q:\n%s", want, logs.String())
			}
		}
	})
}

func TestRetentionSweepIsANoOpForNow(t *testing.T) {
	var logs bytes.Buffer
	h := jobs.NewHandlers(jobs.Opts{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err := h.HandleSweepRetention(context.Background(), jobs.NewSweepRetentionTask()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "nothing to sweep yet") {
		t.Errorf("logged %q", logs.String())
	}
}

func TestEveryKindOfNotificationGoesOut(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		confirm := queueConfirmation(t, e.db, "kinds@customer.test")
		ticket := *email(t, e.db, confirm).TicketID
		staff, err := e.db.EnsureUser(ctx, "agent@acme.test", "Agent", "staff")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.db.AddStaffReply(ctx, store.StaffReply{TicketID: ticket, AuthorID: staff.ID, Text: "Turn it off and on again.",
			Attachments: []store.NewAttachment{{Filename: "steps.txt", ContentType: "text/plain", Data: []byte("1. off\n2. on\n")}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.SetStatus(ctx, ticket, "resolved"); err != nil {
			t.Fatal(err)
		}
		emails, err := e.db.Emails(ctx, "kinds@customer.test")
		if err != nil || len(emails) != 3 {
			t.Fatalf("emails = %v, %v; want confirmation, reply and status", emails, err)
		}
		var ids []int64
		for _, m := range emails {
			ids = append(ids, m.ID)
		}
		if n, err := e.relay.RunOnce(ctx); err != nil || n != 3 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		e.startWorker(t)
		waitFor(t, "emails sent", allStatus(t, e.db, ids, store.EmailSent))
		if c := e.sender.count(); c != 3 {
			t.Errorf("sender called %d times, want 3", c)
		}
		var withFile bool
		for _, c := range e.sender.calls {
			withFile = withFile || bytes.Contains(c.Raw, []byte("steps.txt"))
		}
		if !withFile {
			t.Error("no mail carried the reply's attachment")
		}
	})
}
