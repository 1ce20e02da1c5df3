package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestSLASplitAndMerge: a ticket split off starts its own clocks; a
// merged ticket's clocks stop with its closing, and start again when the
// merge is undone.
func TestSLASplitAndMerge(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, p := range store.Priorities {
			savePolicy(t, db, store.SLAPolicy{Priority: p, FirstResponse: 4 * 3600, Resolution: 16 * 3600})
		}
		clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday; no schedule: around the clock
		db.Now = func() time.Time { return clock }
		a, bob, _ := splitCase(t, db, &clock)
		staff, err := db.EnsureUser(ctx, "agent@example.com", "Agent", "staff")
		if err != nil {
			t.Fatal(err)
		}
		s, err := db.SplitMessage(ctx, store.SplitRequest{TicketID: a.TicketID, MessageID: bob.MessageID, ActorID: staff.ID})
		if err != nil {
			t.Fatal(err)
		}
		into := ticketSLA(t, db, s.IntoID)
		if into == nil {
			t.Fatal("the split-off ticket has no SLA row")
		}
		wantTime(t, "split ticket's first response due", into.FirstResponseDue, clock.Add(4*time.Hour))

		clock = clock.Add(time.Hour)
		if _, err := db.MergeTickets(ctx, []int64{s.IntoNumber}, a.TicketNumber, staff.ID); err != nil {
			t.Fatal(err)
		}
		merged := ticketSLA(t, db, s.IntoID)
		wantTime(t, "merged ticket's clock stopped", merged.ResolvedAt, clock)
		if merged.NextDue() != nil {
			t.Errorf("a merged ticket still has a running due %v", merged.NextDue())
		}
		if ticketSLA(t, db, a.TicketID) == nil {
			t.Error("the survivor lost its SLA row")
		}

		clock = clock.Add(time.Minute)
		last, err := db.LastMerge(ctx, s.IntoID)
		if err != nil || last == nil {
			t.Fatalf("the split ticket's merge: %v, %v", last, err)
		}
		if _, err := db.UndoMerges(ctx, []int64{last.ID}, staff.ID); err != nil {
			t.Fatal(err)
		}
		back := ticketSLA(t, db, s.IntoID)
		wantNil(t, "resolved after the merge is undone", back.ResolvedAt)
		if back.NextDue() == nil {
			t.Error("no running due after the merge is undone")
		}
	})
}

// TestSLABreachWaitsForSnooze: a snoozed ticket's missed target is told
// of when it wakes, not while staff have put it away.
func TestSLABreachWaitsForSnooze(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		admin, at := slaDesk(t, db)
		db.Lifecycle = store.DefaultLifecycle()
		savePolicy(t, db, store.SLAPolicy{Priority: "normal", FirstResponse: 3600})
		at("2026-12-07 10:00")
		tk := deliver(t, db, newTicket("Later, please"))
		if err := db.Snooze(ctx, tk.TicketID, admin.ID, berlin(t, "2026-12-08 09:00")); err != nil {
			t.Fatal(err)
		}
		at("2026-12-07 12:00")
		if n, err := db.TellSLABreaches(ctx); err != nil || n != 0 {
			t.Fatalf("while snoozed: told %d, %v", n, err)
		}
		at("2026-12-08 09:01")
		if n, err := db.TellSLABreaches(ctx); err != nil || n != 1 {
			t.Fatalf("after the snooze: told %d, %v; want 1", n, err)
		}
	})
}
