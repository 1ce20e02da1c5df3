package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
		for _, want := range []string{"level=WARN", "outbox relay lagging", "task_type=outbox:lag", "count=2", "age=5m",
			"queued mail not sent for over 2 minutes", "oldest_age=5m"} {
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
		e.db.X.Get(&left, `SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL`)
		if left != 0 {
			t.Errorf("live sessions left = %d, want 0", left)
		}
		if _, _, err := e.db.SessionUser(ctx, "s1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired session still signs in: %v", err)
		}
		for _, want := range []string{"task_type=sweep:tokens sweep=tokens removed=2", "task_type=sweep:sessions sweep=sessions removed=0",
			"task_type=sweep:sessions sweep=sessions removed=1"} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("logs lack %q:\n%s", want, logs.String())
			}
		}
		wantRuns(t, e.db, map[string][]int64{store.SweepTokens: {2}, store.SweepSessions: {0, 1}})
	})
}

// TestRetentionSweepRemovesWhatIsDue: one daily task, four sweeps, each
// logged and recorded; a rerun removes nothing more.
func TestRetentionSweepRemovesWhatIsDue(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		at := base
		e.db.Now = func() time.Time { return at }
		var logs bytes.Buffer
		h := jobs.NewHandlers(jobs.Opts{Store: e.db, Logger: slog.New(slog.NewTextHandler(&logs, nil)), RawMailRetention: 10 * 24 * time.Hour})

		// Day 0: raw mail that became a ticket of a customer erased and
		// closed since, a sign-in (login, token and session with an ip),
		// and a dev outbox mail.
		raw, _, err := e.db.SaveInboundMail(ctx, &store.InboundMail{Key: "ses-1"}, []byte("raw bytes"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.db.RecordInbound(ctx, &store.Incoming{InboundMailID: raw.ID, From: store.Person{Email: "gone@customer.test"}, Subject: "Hi",
			Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: "m1@customer.test", Subject: "Hi", Text: "hello", VisibleText: "hello"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.SetStatus(ctx, got.TicketID, "closed"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.X.Exec(e.db.X.Rebind(`UPDATE users SET erased_at = ? WHERE email = 'gone@customer.test'`), base); err != nil {
			t.Fatal(err)
		}
		if err := e.db.RequestLogin(ctx, store.LoginRequest{TokenHash: "t1", Email: "ada@example.com", IP: "192.0.2.7", TTL: 15 * time.Minute}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.ConfirmLogin(ctx, store.Login{TokenHash: "t1", SessionHash: "s1", IP: "192.0.2.7", SessionTTL: 7 * 24 * time.Hour}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.SaveDevMail(ctx, &store.DevMail{Sender: "a@x", Recipients: "b@x", Subject: "s", Raw: []byte("r")}); err != nil {
			t.Fatal(err)
		}

		// Day 2: only the erased customer's closed ticket and the dev mail are due.
		at = base.Add(2 * 24 * time.Hour)
		if err := h.HandleSweepRetention(ctx, jobs.NewSweepRetentionTask()); err != nil {
			t.Fatal(err)
		}
		// Day 91: the raw mail (kept 10 days here) and the sign-in log too.
		at = base.Add(91 * 24 * time.Hour)
		if err := h.HandleSweepRetention(ctx, jobs.NewSweepRetentionTask()); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			// day 2: the ticket's raw mail and its message; the dev mail
			"sweep=erased_tickets removed=2", "sweep=dev_mail removed=1", "sweep=raw_mail removed=0", "sweep=login_log removed=0",
			// day 91: login, token and session
			"sweep=login_log removed=3",
		} {
			if !strings.Contains(logs.String(), "task_type=sweep:retention "+want) {
				t.Errorf("logs lack %q:\n%s", want, logs.String())
			}
		}
		m, err := e.db.InboundMail(ctx, raw.ID)
		if err != nil || m.BlobKey != "" {
			t.Errorf("raw mail after sweeps: %+v, %v", m, err)
		}
		var left int
		e.db.X.Get(&left, `SELECT COUNT(*) FROM logins`)
		if left != 0 {
			t.Errorf("logins left = %d", left)
		}
		wantRuns(t, e.db, map[string][]int64{
			store.SweepRawMail: {0, 0}, store.SweepLoginLog: {0, 3}, store.SweepErasedTickets: {2, 0}, store.SweepDevMail: {1, 0},
			store.SweepUsage: {0, 0}, store.SweepDrafts: {0, 0}, store.SweepUndo: {0, 0},
			jobs.SweepStaffEvents: {0, 0},
		})

		// Day 92: a rerun removes nothing.
		logs.Reset()
		at = base.Add(92 * 24 * time.Hour)
		if err := h.HandleSweepRetention(ctx, jobs.NewSweepRetentionTask()); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(logs.String(), "removed=0"); n != 8 {
			t.Errorf("rerun logged %d sweeps with removed=0, want 8:\n%s", n, logs.String())
		}
	})
}

// TestRetentionRawMailAfterItsDays: raw mail goes after RawMailRetention
// (30 days by default), not before.
func TestRetentionRawMailAfterItsDays(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		at := base
		e.db.Now = func() time.Time { return at }
		var logs bytes.Buffer
		h := jobs.NewHandlers(jobs.Opts{Store: e.db, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		raw, _, err := e.db.SaveInboundMail(ctx, &store.InboundMail{Key: "ses-q", Status: "quarantined"}, []byte("held back"))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []int{29, 31} {
			at = base.Add(time.Duration(d) * 24 * time.Hour)
			if err := h.HandleSweepRetention(ctx, jobs.NewSweepRetentionTask()); err != nil {
				t.Fatal(err)
			}
		}
		for _, want := range []string{"sweep=raw_mail removed=0", "sweep=raw_mail removed=1"} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("logs lack %q:\n%s", want, logs.String())
			}
		}
		if _, err := e.db.Blobs.Get(ctx, raw.BlobKey); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("quarantined raw bytes after 31 days: err = %v", err)
		}
	})
}

// TestRetentionUsageEventsAfterTheirDays: raw usage events go after
// UsageRetention, their day counts stay, and so does the sweep's record.
func TestRetentionUsageEventsAfterTheirDays(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		at := base
		e.db.Now = func() time.Time { return at }
		var logs bytes.Buffer
		h := jobs.NewHandlers(jobs.Opts{Store: e.db, UsageRetention: 10 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		u, err := e.db.EnsureUser(ctx, "ada@example.com", "Ada", "customer")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"GET /tickets", "GET /tickets/{number}"} {
			if err := e.db.RecordUsage(ctx, u.ID, store.UsagePage, name); err != nil {
				t.Fatal(err)
			}
		}
		for _, d := range []int{9, 11} {
			at = base.Add(time.Duration(d) * 24 * time.Hour)
			if err := h.HandleSweepRetention(ctx, jobs.NewSweepRetentionTask()); err != nil {
				t.Fatal(err)
			}
		}
		for _, want := range []string{"sweep=usage_events removed=0", "sweep=usage_events removed=2"} { // March's key stays: it is this month's
			if !strings.Contains(logs.String(), want) {
				t.Errorf("logs lack %q:\n%s", want, logs.String())
			}
		}
		var kept int
		if err := e.db.X.Get(&kept, `SELECT SUM(count) FROM usage_daily WHERE day = '2026-03-01'`); err != nil || kept != 2 {
			t.Errorf("day counts kept: %d, %v", kept, err)
		}
	})
}

// failingRawMail is a store whose raw-mail sweep fails after removing two.
type failingRawMail struct{ *store.DB }

var errDisk = errors.New("disk on fire")

func (failingRawMail) SweepRawMail(context.Context, time.Duration, int) (int64, error) {
	return 2, errDisk
}

// TestRetentionSweepFailureIsRecorded: a failing sweep does not stop the
// others; its run is recorded as failed with what it removed.
func TestRetentionSweepFailureIsRecorded(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var logs bytes.Buffer
		h := jobs.NewHandlers(jobs.Opts{Store: failingRawMail{e.db}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		err := h.HandleSweepRetention(ctx, jobs.NewSweepRetentionTask())
		if !errors.Is(err, errDisk) || !strings.Contains(err.Error(), "sweep raw_mail removed 2") {
			t.Fatalf("err = %v", err)
		}
		for _, want := range []string{"sweep=login_log removed=0", "sweep=dev_mail removed=0", "sweep=erased_tickets removed=0"} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("logs lack %q:\n%s", want, logs.String())
			}
		}
		stats, err := e.db.SweepStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stats {
			if s.Name == store.SweepRawMail && (s.Removed != 2 || s.Failures != 1 || s.LastOKAt != nil) {
				t.Errorf("raw_mail stats = %+v", s)
			}
		}
		if len(stats) != 8 {
			t.Errorf("stats for %d sweeps, want 8", len(stats))
		}
	})
}

// wantRuns checks the sweep_runs rows, oldest first, per sweep.
func wantRuns(t *testing.T, db *store.DB, want map[string][]int64) {
	t.Helper()
	var rows []struct {
		Name    string `db:"name"`
		Removed int64  `db:"removed"`
	}
	if err := db.X.Select(&rows, `SELECT name, removed FROM sweep_runs ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	got := map[string][]int64{}
	for _, r := range rows {
		got[r.Name] = append(got[r.Name], r.Removed)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sweep_runs = %v, want %v", got, want)
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
