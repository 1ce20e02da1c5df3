package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/outbound"
	"github.com/dargo-support/dargo/store"
)

func TestEmailSendPermanentErrorFailsWithoutRetry(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := queueConfirmation(t, e.db, "bad@customer.test")
		e.sender.errs = []error{&outbound.PermanentError{Err: errors.New("MessageRejected: Email address is not verified")}}
		if _, err := e.relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		e.startWorker(t)
		waitFor(t, "email failed", allStatus(t, e.db, []int64{id}, store.EmailFailed))
		got := email(t, e.db, id)
		if !strings.Contains(got.Reason, "MessageRejected") {
			t.Errorf("reason = %q", got.Reason)
		}
		var info *asynq.TaskInfo
		waitFor(t, "task archived", func() bool {
			info, _ = e.inspector.GetTaskInfo(jobs.QueueDefault, outboxTaskID(t, e, id))
			return info != nil && info.State == asynq.TaskStateArchived
		})
		if info.Retried != 0 {
			t.Errorf("task retried %d times, want 0", info.Retried)
		}
		if c := e.sender.count(); c != 1 {
			t.Errorf("sender called %d times, want 1", c)
		}
	})
}

func TestEmailSendTemporaryErrorRetriesThenSends(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := queueConfirmation(t, e.db, "slow@customer.test")
		e.sender.errs = []error{errTemporary, errTemporary}
		if _, err := e.relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		e.startWorker(t)
		waitFor(t, "email sent", allStatus(t, e.db, []int64{id}, store.EmailSent))
		if c := e.sender.count(); c != 3 {
			t.Errorf("sender called %d times, want 3 (two throttled, one sent)", c)
		}
		info, err := e.inspector.GetTaskInfo(jobs.QueueDefault, outboxTaskID(t, e, id))
		if err != nil {
			t.Fatal(err)
		}
		if info.Retried != 2 {
			t.Errorf("task retried %d times, want 2", info.Retried)
		}
	})
}

func TestEmailSendGivesUpWhenRetriesRunOut(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id := queueConfirmation(t, e.db, "never@customer.test")
		e.sender.fail = errTemporary
		if _, err := e.client.Enqueue(sendTask(t, id), asynq.MaxRetry(2)); err != nil {
			t.Fatal(err)
		}
		e.startWorker(t)
		waitFor(t, "email failed", allStatus(t, e.db, []int64{id}, store.EmailFailed))
		if got := email(t, e.db, id); !strings.Contains(got.Reason, "gave up retrying") || !strings.Contains(got.Reason, "throttled") {
			t.Errorf("reason = %q", got.Reason)
		}
		if c := e.sender.count(); c != 3 {
			t.Errorf("sender called %d times, want 3 (first try and two retries)", c)
		}
	})
}

func TestEmailSendToSuppressedAddressNeverSends(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := queueConfirmation(t, e.db, "gone@customer.test")
		if err := e.db.Suppress(ctx, "Gone@Customer.test", "bounce", "ses"); err != nil {
			t.Fatal(err)
		}
		if err := e.handlers.HandleEmailSend(ctx, sendTask(t, id)); err != nil {
			t.Fatalf("HandleEmailSend = %v", err)
		}
		if got := email(t, e.db, id); got.Status != store.EmailSuppressed {
			t.Errorf("status = %s, want suppressed", got.Status)
		}
		if c := e.sender.count(); c != 0 {
			t.Errorf("sender called %d times", c)
		}
	})
}

func TestEmailSendTwiceSendsOnce(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := queueConfirmation(t, e.db, "twice@customer.test")
		for range 2 {
			if err := e.handlers.HandleEmailSend(ctx, sendTask(t, id)); err != nil {
				t.Fatalf("HandleEmailSend = %v", err)
			}
		}
		if c := e.sender.count(); c != 1 {
			t.Errorf("sender called %d times, want 1", c)
		}
		if got := email(t, e.db, id); got.Status != store.EmailSent || got.Attempts != 1 {
			t.Errorf("email = %s after %d attempts", got.Status, got.Attempts)
		}
	})
}

func TestEmailSendDevOutboxIDIsNoSESID(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := queueConfirmation(t, e.db, "dev@customer.test")
		h := jobs.NewHandlers(jobs.Opts{Store: e.db, Sender: outbound.NewDevOutbox(e.db), Outbound: outbound.Opts{
			From: outbound.Address{Email: "support@acme.test"}, MailDomain: "acme.test"}, Logger: quiet})
		if err := h.HandleEmailSend(ctx, sendTask(t, id)); err != nil {
			t.Fatalf("HandleEmailSend = %v", err)
		}
		got := email(t, e.db, id)
		if got.Status != store.EmailSent || got.SESID != "" || got.HeaderID == "" {
			t.Errorf("email = %s ses_id %q header_id %q; want sent, no SES id, a minted id", got.Status, got.SESID, got.HeaderID)
		}
		ids, err := e.db.ThreadIDs(ctx, *got.TicketID, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, tid := range ids {
			if strings.Contains(tid, "amazonses.com") {
				t.Errorf("dev mail recorded SES thread id %s", tid)
			}
		}
	})
}

func TestEmailSendBadPayloadIsNotRetried(t *testing.T) {
	h := jobs.NewHandlers(jobs.Opts{Logger: quiet})
	err := h.HandleEmailSend(context.Background(), asynq.NewTask(jobs.TypeEmailSend, []byte(`{"email_id":"x"}`)))
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("err = %v, want SkipRetry", err)
	}
}

// outboxTaskID is the task id of the outbox row of an email.
func outboxTaskID(t *testing.T, e *env, emailID int64) string {
	t.Helper()
	var id int64
	if err := e.db.X.GetContext(context.Background(), &id, e.db.X.Rebind(`SELECT id FROM outbox WHERE email_id = ?`), emailID); err != nil {
		t.Fatal(err)
	}
	return jobs.OutboxTaskID(id)
}

func containsHeader(raw []byte, name, want string) bool {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	return err == nil && m.Header.Get(name) == want
}

// unrecordingStore cannot record a sent mail.
type unrecordingStore struct{ *store.DB }

func (unrecordingStore) MarkEmailSent(context.Context, int64, store.Sent) error {
	return errors.New("database is locked")
}

func TestEmailSentButNotRecordedIsNotRetried(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		id := queueConfirmation(t, e.db, "unrecorded@customer.test")
		h := jobs.NewHandlers(jobs.Opts{Store: unrecordingStore{e.db}, Sender: e.sender, Outbound: benchOutbound, Logger: quiet})
		err := h.HandleEmailSend(context.Background(), sendTask(t, id))
		if !errors.Is(err, asynq.SkipRetry) || !strings.Contains(err.Error(), "not recorded") {
			t.Fatalf("err = %v, want SkipRetry: a retry would send the mail again", err)
		}
		if c := e.sender.count(); c != 1 {
			t.Errorf("sender called %d times", c)
		}
	})
}

// TestEmailSendWithMissingAttachmentFails: a reply whose attachment bytes
// are gone (a blob deleted, an S3 lifecycle rule) can never be sent; the row
// says failed instead of staying queued for ever, and the task stops.
func TestEmailSendWithMissingAttachmentFails(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		id := queueConfirmation(t, e.db, "files@customer.test")
		var ticketID int64
		if err := e.db.X.Get(&ticketID, e.db.X.Rebind(`SELECT ticket_id FROM emails WHERE id = ?`), id); err != nil {
			t.Fatal(err)
		}
		staff, err := e.db.EnsureUser(ctx, "agent@help.test", "Agent", "staff")
		if err != nil {
			t.Fatal(err)
		}
		data := []byte("%PDF-1.4 gone soon")
		if _, err := e.db.AddStaffReply(ctx, store.StaffReply{TicketID: ticketID, AuthorID: staff.ID, Text: "See the file.",
			Attachments: []store.NewAttachment{{Filename: "a.pdf", ContentType: "application/pdf", Data: data}}}); err != nil {
			t.Fatal(err)
		}
		if err := e.db.Blobs.Delete(ctx, store.BlobKey("att", data)); err != nil {
			t.Fatal(err)
		}
		var reply int64
		if err := e.db.X.Get(&reply, e.db.X.Rebind(`SELECT id FROM emails WHERE kind = 'reply' AND to_email = ?`), "files@customer.test"); err != nil {
			t.Fatal(err)
		}
		err = e.handlers.HandleEmailSend(ctx, sendTask(t, reply))
		if !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("HandleEmailSend = %v, want SkipRetry", err)
		}
		if got := email(t, e.db, reply); got.Status != store.EmailFailed || !strings.Contains(got.Reason, "blob") {
			t.Errorf("email = %s (%q), want failed naming the missing blob", got.Status, got.Reason)
		}
		if c := e.sender.count(); c != 0 {
			t.Errorf("sender called %d times", c)
		}
	})
}
