package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound/mailparse"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// broadcastUsers adds n users who signed in (broadcast recipients) named
// reader0@… to reader<n-1>@…, and returns their addresses.
func broadcastUsers(t *testing.T, db *store.DB, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		addr := fmt.Sprintf("reader%d@customer.test", i)
		var id int64
		err := db.X.Get(&id, db.X.Rebind(`INSERT INTO users (email, name, role, created_at, updated_at) VALUES (?, ?, 'customer', ?, ?) RETURNING id`),
			addr, fmt.Sprintf("Reader %d", i), db.Now(), db.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.X.Exec(db.X.Rebind(`INSERT INTO logins (user_id, created_at) VALUES (?, ?)`), id, db.Now()); err != nil {
			t.Fatal(err)
		}
		out = append(out, addr)
	}
	return out
}

const policyBody = "We changed our privacy policy.\n\nRead it at https://help.acme.test/privacy"

func TestBroadcastMailsGoOutOnceOnTheLowQueue(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		readers := broadcastUsers(t, e.db, 4)
		if err := e.db.Suppress(ctx, readers[3], "complaint", "ses"); err != nil {
			t.Fatal(err)
		}
		b, err := e.db.StartBroadcast(ctx, store.NewBroadcast{Subject: "Our privacy policy changed", Body: policyBody})
		if err != nil {
			t.Fatal(err)
		}
		if b, err = e.db.QueueBroadcastBatch(ctx, b.ID, 100); err != nil || !b.Queued() {
			t.Fatalf("queue: %+v, %v", b, err)
		}
		// Erased after queueing, before sending: the mail must not go out.
		if _, err := e.db.X.Exec(e.db.X.Rebind(`UPDATE users SET erased_at = ? WHERE email = ?`), e.db.Now(), readers[2]); err != nil {
			t.Fatal(err)
		}
		if _, err := e.relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		low, err := e.inspector.ListPendingTasks(jobs.QueueLow)
		if err != nil || len(low) != 3 {
			t.Fatalf("low queue holds %d tasks (%v), want the 3 broadcast mails", len(low), err)
		}
		e.startWorker(t)
		var ids []int64
		for _, addr := range readers[:2] {
			mails, err := e.db.Emails(ctx, addr)
			if err != nil || len(mails) != 1 {
				t.Fatalf("emails to %s: %+v, %v", addr, mails, err)
			}
			ids = append(ids, mails[0].ID)
		}
		waitFor(t, "broadcast sent", allStatus(t, e.db, ids, store.EmailSent))
		gone, _ := e.db.Emails(ctx, readers[2])
		waitFor(t, "erased recipient's mail failed", allStatus(t, e.db, []int64{gone[0].ID}, store.EmailFailed))

		per := e.sender.perRecipient()
		if len(per) != 2 || per[readers[0]] != 1 || per[readers[1]] != 1 {
			t.Fatalf("sends per recipient: %v", per)
		}
		e.sender.mu.Lock()
		calls := append([]sendCall(nil), e.sender.calls...)
		e.sender.mu.Unlock()
		for _, c := range calls {
			m, err := mailparse.Parse(c.Raw)
			if err != nil {
				t.Fatal(err)
			}
			if m.Subject != "Our privacy policy changed" || !containsHeader(c.Raw, "Auto-Submitted", "auto-generated") {
				t.Errorf("subject %q, headers:\n%.500s", m.Subject, c.Raw)
			}
			for _, want := range []string{"Hi Reader", "We changed our privacy policy.", "https://help.acme.test/privacy", "you have an account with us"} {
				if !strings.Contains(m.Text, want) {
					t.Errorf("mail lacks %q:\n%s", want, m.Text)
				}
			}
		}
		list, err := e.db.Broadcasts(ctx, 10)
		if err != nil || list[0].Progress != (store.BroadcastProgress{Sent: 2, Failed: 1, Suppressed: 1}) {
			t.Errorf("progress: %+v, %v", list, err)
		}
	})
}

func TestBroadcastMailOfAMissingBroadcastFails(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		readers := broadcastUsers(t, e.db, 1)
		b, err := e.db.StartBroadcast(ctx, store.NewBroadcast{Subject: "Policy", Body: policyBody})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.QueueBroadcastBatch(ctx, b.ID, 10); err != nil {
			t.Fatal(err)
		}
		mails, _ := e.db.Emails(ctx, readers[0])
		// A store that cannot load broadcasts: the mail fails, once, plainly.
		h := jobs.NewHandlers(jobs.Opts{Store: noBroadcasts{e.db}, Sender: e.sender, Outbound: benchOutbound, Logger: quiet})
		task, err := jobs.NewEmailSendTask(mails[0].ID, store.EmailBroadcast)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.HandleEmailSend(ctx, task); !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("err = %v, want SkipRetry", err)
		}
		if got := email(t, e.db, mails[0].ID); got.Status != store.EmailFailed || !strings.Contains(got.Reason, "cannot load broadcasts") {
			t.Errorf("email: %+v", got)
		}
		if e.sender.count() != 0 {
			t.Errorf("sent %d mails", e.sender.count())
		}
	})
}

// noBroadcasts is a Store that does not know broadcasts.
type noBroadcasts struct{ jobs.Store }

func TestBroadcastQueueTask(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		readers := broadcastUsers(t, e.db, 7)
		b, err := e.db.StartBroadcast(ctx, store.NewBroadcast{Subject: "Policy", Body: policyBody, ActorID: 1})
		if err != nil {
			t.Fatal(err)
		}
		// Half queued by a run that stopped; the task continues it.
		if _, err := e.db.QueueBroadcastBatch(ctx, b.ID, 3); err != nil {
			t.Fatal(err)
		}
		task, err := jobs.NewBroadcastQueueTask(b.ID)
		if err != nil {
			t.Fatal(err)
		}
		info, err := e.client.Enqueue(task)
		if err != nil || info.Queue != jobs.QueueLow || info.ID != jobs.BroadcastTaskID(b.ID) {
			t.Fatalf("enqueue: %+v, %v", info, err)
		}
		if _, err := e.client.Enqueue(task); !errors.Is(err, asynq.ErrTaskIDConflict) {
			t.Errorf("second enqueue: %v, want a TaskID conflict", err)
		}
		e.startWorker(t)
		waitFor(t, "broadcast queued", func() bool {
			got, err := e.db.Broadcast(ctx, b.ID)
			return err == nil && got.Queued()
		})
		if n := pending(t, e.db); n != len(readers) {
			t.Errorf("%d outbox rows, want %d", n, len(readers))
		}
		for _, addr := range readers {
			if mails, _ := e.db.Emails(ctx, addr); len(mails) != 1 || mails[0].Kind != store.EmailBroadcast {
				t.Errorf("%s: %+v", addr, mails)
			}
		}

		bad := asynq.NewTask(jobs.TypeBroadcastQueue, []byte(`{"broadcast_id":999}`))
		if err := e.handlers.HandleBroadcastQueue(ctx, bad); !errors.Is(err, asynq.SkipRetry) || !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown broadcast: %v", err)
		}
	})
}

func TestBroadcastMailsUseTheLowQueue(t *testing.T) {
	if q := jobs.QueueFor(store.EmailBroadcast); q != jobs.QueueLow {
		t.Errorf("QueueFor(broadcast) = %q, want %q: sign-in links and replies go first", q, jobs.QueueLow)
	}
}
