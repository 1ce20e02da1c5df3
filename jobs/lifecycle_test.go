package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/dargo-support/dargo/jobs"
	"github.com/dargo-support/dargo/store"
)

// TestLifecycleSweepTask: the scheduled lifecycle:sweep runs on the worker
// and resolves a pending ticket whose time is up.
func TestLifecycleSweepTask(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		e.db.Now = func() time.Time { return clock }
		e.db.Lifecycle = store.Lifecycle{AutoClose: 7 * store.Day}
		staff, err := e.db.EnsureUser(ctx, "mia@support.example", "Mia", "staff")
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.db.RecordInbound(ctx, &store.Incoming{From: store.Person{Email: "ada@example.com"}, Subject: "Help",
			Message: store.NewMessage{Kind: "inbound", Source: "email", Text: "Hi", VisibleText: "Hi"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: staff.ID, Status: "pending"}); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(7 * store.Day)
		if _, err := e.client.Enqueue(jobs.NewLifecycleSweepTask()); err != nil {
			t.Fatal(err)
		}
		e.startWorker(t)
		waitFor(t, "the ticket resolved by the sweep", func() bool {
			tk, err := e.db.Ticket(ctx, got.TicketID)
			return err == nil && tk.Status == "resolved"
		})
	})
}
