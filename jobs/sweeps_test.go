package jobs_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

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

func TestSweepsAreNoOpsForNow(t *testing.T) {
	var logs bytes.Buffer
	h := jobs.NewHandlers(jobs.Opts{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, run := range []struct {
		task *asynq.Task
		fn   func(context.Context, *asynq.Task) error
	}{
		{jobs.NewSweepTokensTask(), h.HandleSweepTokens},
		{jobs.NewSweepSessionsTask(), h.HandleSweepSessions},
		{jobs.NewSweepRetentionTask(), h.HandleSweepRetention},
	} {
		if err := run.fn(context.Background(), run.task); err != nil {
			t.Errorf("%s: %v", run.task.Type(), err)
		}
		if !strings.Contains(logs.String(), "nothing to sweep yet") || !strings.Contains(logs.String(), "task_type="+run.task.Type()) {
			t.Errorf("%s logged %q", run.task.Type(), logs.String())
		}
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
