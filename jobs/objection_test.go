package jobs_test

import (
	"context"
	"testing"

	"github.com/dargo-support/dargo/store"
)

// TestEmailSendHonoursAnObjectionMadeAfterQueueing: a broadcast mail queued
// before its recipient objected to optional mail is not sent; the ticket's
// confirmation, queued at the same time, is.
func TestEmailSendHonoursAnObjectionMadeAfterQueueing(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		readers := broadcastUsers(t, e.db, 1)
		confirmation := queueConfirmation(t, e.db, readers[0])
		b, err := e.db.StartBroadcast(ctx, store.NewBroadcast{Subject: "Our privacy policy changed", Body: policyBody})
		if err != nil {
			t.Fatal(err)
		}
		if b, err = e.db.QueueBroadcastBatch(ctx, b.ID, 100); err != nil || !b.Queued() {
			t.Fatalf("queue: %+v, %v", b, err)
		}
		emails, err := e.db.Emails(ctx, readers[0])
		if err != nil {
			t.Fatal(err)
		}
		broadcast := emails[len(emails)-1]
		if broadcast.Kind != store.EmailBroadcast || broadcast.Status != store.EmailQueued {
			t.Fatalf("broadcast mail = %+v, want queued", broadcast)
		}
		u, err := e.db.UserByEmail(ctx, readers[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.SetChoice(ctx, u.ID, store.ChoiceMail, true, 0, store.ChoiceViaAccount); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{broadcast.ID, confirmation} {
			if err := e.handlers.HandleEmailSend(ctx, sendTask(t, id)); err != nil {
				t.Fatalf("HandleEmailSend(%d) = %v", id, err)
			}
		}
		if got := email(t, e.db, broadcast.ID); got.Status != store.EmailSuppressed || got.Reason != store.ReasonObjected {
			t.Errorf("broadcast mail = %s %q, want suppressed: %q", got.Status, got.Reason, store.ReasonObjected)
		}
		if got := email(t, e.db, confirmation); got.Status != store.EmailSent {
			t.Errorf("confirmation = %s %q, want sent (essential mail)", got.Status, got.Reason)
		}
		if c := e.sender.count(); c != 1 {
			t.Errorf("sender called %d times, want 1 (the confirmation)", c)
		}
	})
}
