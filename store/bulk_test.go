package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// bulkTickets delivers n tickets, each from its own customer, and returns
// their numbers and ids.
func bulkTickets(t testing.TB, db *store.DB, n int) (numbers, ids []int64) {
	t.Helper()
	for i := range n {
		d := newTicket(fmt.Sprintf("Bulk %d", i))
		d.From = store.Person{Email: fmt.Sprintf("c%d@example.com", i)}
		got := deliver(t, db, d)
		numbers, ids = append(numbers, got.TicketNumber), append(ids, got.TicketID)
	}
	return numbers, ids
}

// TestBulk200: a bulk action on 200 tickets does what 200 single actions
// do (one audit entry per changed ticket, the status mail held for Undo,
// the assignment notice) and reports tickets already so, merged, erased
// or missing.
func TestBulk200(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		bob, _ := db.SetRole(ctx, "bob@acme.test", "staff")
		numbers, ids := bulkTickets(t, db, 200)
		// Two are resolved already, one is merged, one's customer is erased.
		for _, id := range ids[:2] {
			if err := db.ChangeTicket(ctx, store.Change{TicketID: id, ActorID: agent.ID, Status: "resolved"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.MergeTickets(ctx, []int64{numbers[2]}, numbers[3], agent.ID); err != nil {
			t.Fatal(err)
		}
		tk, _ := db.Ticket(ctx, ids[4])
		if _, err := db.Erase(ctx, tk.CustomerID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		selection := append(numbers, 999999) // and one that does not exist
		mails := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status'`)
		audits := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'ticket_change'`)

		resolve := store.BulkAction{Kind: store.BulkStatus, Status: "resolved", ActorID: agent.ID, Hold: time.Minute}
		plan, err := db.PlanBulk(ctx, selection, resolve)
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Change) != 196 || len(plan.Same) != 2 || len(plan.Skipped) != 3 || plan.StatusMails != 196 {
			t.Errorf("plan: %d change, %d same, %d skipped (%+v), %d mails", len(plan.Change), len(plan.Same), len(plan.Skipped), plan.Skipped, plan.StatusMails)
		}
		res, err := db.ApplyBulk(ctx, selection, resolve)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Done) != 196 || len(res.Same) != 2 || len(res.Failed) != 0 {
			t.Errorf("result: %d done, %d same, %d failed (%+v)", len(res.Done), len(res.Same), len(res.Failed), res.Failed)
		}
		want := map[int64]string{numbers[2]: store.BulkSkipMerged, numbers[4]: store.BulkSkipErased, 999999: store.BulkSkipMissing}
		if len(res.Skipped) != len(want) {
			t.Errorf("skipped = %+v", res.Skipped)
		}
		for _, s := range res.Skipped {
			if want[s.Number] != s.Reason {
				t.Errorf("skipped #%d because %q, want %q", s.Number, s.Reason, want[s.Number])
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'ticket_change'`) - audits; n != 196 {
			t.Errorf("audit entries = %d, want 196", n)
		}
		// Each ticket's people get the status mail a single change sends,
		// held for Undo like it: 196 tickets, one of them (the merge's
		// survivor) with two customers.
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status'`) - mails; n != 197 {
			t.Errorf("status mails = %d, want 197", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails e JOIN outbox o ON o.email_id = e.id
			WHERE e.kind = 'status' AND e.action_id IS NOT NULL AND o.not_before IS NOT NULL`); n != 197 {
			t.Errorf("status mails held for Undo = %d, want 197", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM undo_actions WHERE actor_id = ? AND undone_at IS NULL AND new_status = 'resolved'`, agent.ID); n != 196 {
			t.Errorf("undoable status changes = %d, want 196", n)
		}
		// Undo takes the batch back as it does a single change: the first
		// ten here (the survivor's with two mails among them).
		if len(res.Undo) != 196 {
			t.Fatalf("undoable actions = %d, want 196", len(res.Undo))
		}
		if _, _, others, err := db.UndoBulk(ctx, res.Undo[:10], bob.ID); err != nil || others != 10 {
			t.Errorf("bob undoing the agent's changes: %d not his, %v", others, err)
		}
		undone, late, _, err := db.UndoBulk(ctx, res.Undo[:10], agent.ID)
		if err != nil || undone != 10 || late != 0 {
			t.Errorf("undo: %d undone, %d late, %v", undone, late, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status'`) - mails; n != 197-11 {
			t.Errorf("status mails after undoing 10 = %d, want %d", n, 197-11)
		}
		if tk, _ := db.Ticket(ctx, ids[3]); tk.Status != "open" {
			t.Errorf("an undone ticket is %s", tk.Status)
		}
		if _, late, _, _ := db.UndoBulk(ctx, res.Undo[:10], agent.ID); late != 10 {
			t.Errorf("undoing twice: %d late, want 10", late)
		}

		// Assigning to someone else tells them once per ticket; to
		// oneself, nobody; priority and tags send nothing.
		before := count(t, db, `SELECT COUNT(*) FROM emails`)
		assign := store.BulkAction{Kind: store.BulkAssign, Assignee: &bob.ID, ActorID: agent.ID}
		if res, err = db.ApplyBulk(ctx, numbers, assign); err != nil || len(res.Done) != 198 {
			t.Fatalf("assign: %+v %v", res, err)
		}
		if n := len(events(t, db, bob.ID, store.NoticeAssigned)); n != 198 {
			t.Errorf("bob was told of %d assignments, want 198", n)
		}
		// Each notice is in a mail to bob, as a single assignment's: a
		// notice, or the digest that many notices at once fold into.
		if n := count(t, db, `SELECT COUNT(*) FROM staff_events v JOIN emails e ON e.id = v.email_id
			WHERE v.kind = 'assigned' AND e.user_id = ? AND e.kind IN ('staff_notice', 'staff_digest')`, bob.ID); n != 198 {
			t.Errorf("assignment notices in mails to bob = %d, want 198", n)
		}
		before = count(t, db, `SELECT COUNT(*) FROM emails`)
		for _, a := range []store.BulkAction{
			{Kind: store.BulkAssign, Assignee: &agent.ID, ActorID: agent.ID},
			{Kind: store.BulkPriority, Priority: "urgent", ActorID: agent.ID},
			{Kind: store.BulkCategory, Category: "billing", ActorID: agent.ID},
			{Kind: store.BulkAddTags, Tags: []string{"VIP", "outage"}, ActorID: agent.ID},
			{Kind: store.BulkRemoveTags, Tags: []string{"vip"}, ActorID: agent.ID},
		} {
			res, err := db.ApplyBulk(ctx, numbers, a)
			if err != nil || len(res.Done) != 198 || len(res.Skipped) != 2 {
				t.Errorf("%s: %d done, %d skipped, %v", a.Kind, len(res.Done), len(res.Skipped), err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails`) - before; n != 0 {
			t.Errorf("self-assign, priority, category and tags sent %d mails", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'ticket_tags'`); n != 2*198 {
			t.Errorf("tag audit entries = %d, want %d", n, 2*198)
		}
		if tags, _ := db.TicketTags(ctx, ids[10]); len(tags) != 1 || tags[0] != "outage" {
			t.Errorf("tags after add and remove: %q", tags)
		}
		// Done twice: already so.
		if res, err := db.ApplyBulk(ctx, numbers, store.BulkAction{Kind: store.BulkPriority, Priority: "urgent", ActorID: agent.ID}); err != nil || len(res.Same) != 198 {
			t.Errorf("again: %+v %v", res, err)
		}
	})
}

// TestBulkRefuses: an action that is not valid, or too many tickets, is
// refused whole, changing nothing.
func TestBulkRefuses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		customer, _ := db.UserByEmail(ctx, "nobody@example.com")
		numbers, _ := bulkTickets(t, db, 2)
		for _, a := range []store.BulkAction{
			{Kind: store.BulkStatus, Status: "deleted"},
			{Kind: store.BulkPriority},
			{Kind: store.BulkAssign},
			{Kind: store.BulkAddTags, Tags: []string{" "}},
			{Kind: "explode"},
		} {
			a.ActorID = agent.ID
			if _, err := db.ApplyBulk(ctx, numbers, a); err == nil {
				t.Errorf("%+v applied", a)
			}
		}
		many := make([]int64, store.MaxBulk+1)
		for i := range many {
			many[i] = int64(i + 1)
		}
		if _, err := db.ApplyBulk(ctx, many, store.BulkAction{Kind: store.BulkPriority, Priority: "low"}); !errors.Is(err, store.ErrBulkTooMany) {
			t.Errorf("%d tickets: %v", len(many), err)
		}
		// Only staff can be assigned, ticket by ticket, as a single change.
		if customer == nil {
			c := deliver(t, db, newTicket("x"))
			tk, _ := db.Ticket(ctx, c.TicketID)
			customer, _ = db.UserByID(ctx, tk.CustomerID)
		}
		res, err := db.ApplyBulk(ctx, numbers, store.BulkAction{Kind: store.BulkAssign, Assignee: &customer.ID, ActorID: agent.ID})
		if err != nil || len(res.Failed) != 2 || len(res.Done) != 0 {
			t.Errorf("assign to a customer: %+v %v", res, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'ticket_change'`); n != 0 {
			t.Errorf("audit entries = %d after refusals", n)
		}
	})
}
