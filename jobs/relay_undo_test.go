package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// TestRelayHoldsStaffMailUntilNotBefore: on real Redis, a held reply (one
// mail that also tells of the resolve) is not relayed before its
// not-before time, goes once after it through a relay started afresh (as
// after a worker restart), and an undone reply never goes.
func TestRelayHoldsStaffMailUntilNotBefore(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		db := e.db
		queueConfirmation(t, db, "alice@customer.test")
		if _, err := e.relay.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		e.startWorker(t)
		waitFor(t, "the confirmation sent", func() bool { return e.sender.count() == 1 })
		ticket := email(t, db, 1).TicketID
		agent, err := db.SetRole(ctx, "agent@acme.test", "staff")
		if err != nil {
			t.Fatal(err)
		}
		const hold = 4 * time.Second // longer than store.UndoMargin, or there is nothing to undo
		start := time.Now()
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: *ticket, AuthorID: agent.ID, Text: "Fixed: new fuser.",
			Status: "resolved", Hold: hold}); err != nil {
			t.Fatal(err)
		}
		undone, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: *ticket, AuthorID: agent.ID, Text: "Oops, wrong ticket.", Hold: hold})
		if err != nil {
			t.Fatal(err)
		}
		undos, err := db.PendingUndos(ctx, agent.ID, 5)
		if err != nil || len(undos) != 2 || *undos[0].MessageID != undone {
			t.Fatalf("pending undos = %+v, %v", undos, err)
		}
		if _, err := db.Undo(ctx, undos[0].ID, agent.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := e.relay.RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("relay right after the reply: %d rows, %v; want none", n, err)
		}

		// The first relay "restarts": a new one picks the row up when due.
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			jobs.NewRelay(db, e.client, quiet).Run(runCtx, 50*time.Millisecond)
		}()
		t.Cleanup(func() { stop(); <-done })
		waitFor(t, "the reply sent", func() bool { return e.sender.count() == 2 })
		if took := time.Since(start); took < hold {
			t.Errorf("the reply went after %s, before its %s hold", took, hold)
		}
		time.Sleep(300 * time.Millisecond) // anything else due would go now
		if c := e.sender.count(); c != 2 {
			t.Fatalf("sender called %d times, want 2: the confirmation and one reply", c)
		}
		raw := string(e.sender.calls[1].Raw)
		if !strings.Contains(raw, "Fixed: new fuser.") || !strings.Contains(raw, "We've marked this request as resolved") {
			t.Errorf("the reply mail lacks its text or the status line:\n%.1500s", raw)
		}
		if strings.Contains(raw, "Oops") {
			t.Error("the undone reply was mailed")
		}
	})
}
