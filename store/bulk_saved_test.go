package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestBulkSavedReply200: applying a saved reply's actions to 200 tickets
// does what ApplySavedReplyActions does on each (status mail held for
// Undo, tags, one audit entry per change), counts a use per changed
// ticket, posts no message, and refuses a reply that is not the actor's
// to use or has no actions.
func TestBulkSavedReply200(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		bob, _ := db.SetRole(ctx, "bob@acme.test", "staff")
		numbers, ids := bulkTickets(t, db, 200)
		if _, err := db.MergeTickets(ctx, []int64{numbers[0]}, numbers[1], agent.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.ChangeTicket(ctx, store.Change{TicketID: ids[2], ActorID: agent.ID, Status: "pending", Priority: "high"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddTags(ctx, ids[2], agent.ID, []string{"waiting"}); err != nil {
			t.Fatal(err)
		}
		reply, err := db.CreateSavedReply(ctx, agent.ID, store.SavedReplyInput{Title: "Waiting on you",
			Body: "Hi {{customer.first_name|there}}", Status: "pending", Priority: "high", Tags: "waiting"})
		if err != nil {
			t.Fatal(err)
		}
		resolve, err := db.CreateSavedReply(ctx, agent.ID, store.SavedReplyInput{Title: "Done", Body: "Done.", Status: "resolved", Personal: true})
		if err != nil {
			t.Fatal(err)
		}
		plain, err := db.CreateSavedReply(ctx, agent.ID, store.SavedReplyInput{Title: "Thanks", Body: "Thanks!"})
		if err != nil {
			t.Fatal(err)
		}
		messages := count(t, db, `SELECT COUNT(*) FROM messages`)
		audits := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'ticket_change'`)

		a := store.BulkAction{Kind: store.BulkSavedReply, SavedReply: reply.ID, ActorID: agent.ID, Hold: time.Minute}
		plan, err := db.PlanBulk(ctx, numbers, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Change) != 198 || len(plan.Same) != 1 || len(plan.Skipped) != 1 || plan.StatusMails != 0 {
			t.Errorf("plan: %d change, %d same, %d skipped, %d mails", len(plan.Change), len(plan.Same), len(plan.Skipped), plan.StatusMails)
		}
		res, err := db.ApplyBulk(ctx, numbers, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Done) != 198 || len(res.Same) != 1 || len(res.Skipped) != 1 || len(res.Failed) != 0 {
			t.Errorf("result: %d done, %d same, %d skipped, %d failed", len(res.Done), len(res.Same), len(res.Skipped), len(res.Failed))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'ticket_change'`) - audits; n != 198 {
			t.Errorf("audit entries = %d, want 198", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages`) - messages; n != 0 {
			t.Errorf("a bulk saved reply posted %d messages", n)
		}
		if tk, _ := db.Ticket(ctx, ids[50]); tk.Status != "pending" || tk.Priority != "high" {
			t.Errorf("ticket after: %s %s", tk.Status, tk.Priority)
		}
		if tags, _ := db.TicketTags(ctx, ids[50]); len(tags) != 1 || tags[0] != "waiting" {
			t.Errorf("tags after: %q", tags)
		}
		if got, _ := db.SavedReply(ctx, agent.ID, reply.ID); got.Uses != 198 {
			t.Errorf("uses = %d, want 198 (one per changed ticket)", got.Uses)
		}

		// Resolving by a saved reply sends the status mail a single
		// resolve sends, held for Undo.
		mails := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status'`)
		r := store.BulkAction{Kind: store.BulkSavedReply, SavedReply: resolve.ID, ActorID: agent.ID, Hold: time.Minute}
		if plan, err := db.PlanBulk(ctx, numbers[1:], r); err != nil || plan.StatusMails != 199 {
			t.Errorf("resolve plan: %+v %v", plan, err)
		}
		res, err = db.ApplyBulk(ctx, numbers[1:], r)
		if err != nil || len(res.Done) != 199 || len(res.Undo) != 199 {
			t.Fatalf("resolve: %d done, %d undo, %v", len(res.Done), len(res.Undo), err)
		}
		// 199 tickets, one of them (the survivor) with two customers.
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status'`) - mails; n != 200 {
			t.Errorf("status mails = %d, want 200", n)
		}

		// Bob may not use agent's personal reply; a reply without actions
		// is refused; both change nothing.
		for _, c := range []struct {
			a    store.BulkAction
			want error
		}{
			{store.BulkAction{Kind: store.BulkSavedReply, SavedReply: resolve.ID, ActorID: bob.ID}, store.ErrNotFound},
			{store.BulkAction{Kind: store.BulkSavedReply, SavedReply: plain.ID, ActorID: agent.ID}, store.ErrNoActions},
			{store.BulkAction{Kind: store.BulkSavedReply, ActorID: agent.ID}, store.ErrInvalidChange},
		} {
			if _, err := db.PlanBulk(ctx, numbers, c.a); !errors.Is(err, c.want) {
				t.Errorf("plan %+v: %v, want %v", c.a, err, c.want)
			}
			if _, err := db.ApplyBulk(ctx, numbers, c.a); !errors.Is(err, c.want) {
				t.Errorf("apply %+v: %v, want %v", c.a, err, c.want)
			}
		}
	})
}
