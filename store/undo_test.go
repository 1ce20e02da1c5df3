package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// clockAt makes db's clock read *now.
func clockAt(db *store.DB, now *time.Time) { db.Now = func() time.Time { return *now } }

// TestHeldMailWaitsForNotBefore: a held reply's mail is not relayed, nor
// counted late, until its not-before time passes; then it is.
func TestHeldMailWaitsForNotBefore(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		clockAt(db, &now)
		got := deliver(t, db, newTicket("Printer on fire"))
		exec(t, db, `UPDATE outbox SET relayed_at = ?`, now) // the confirmation went
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID, Text: "On it.", Hold: 10 * time.Second}); err != nil {
			t.Fatal(err)
		}
		rows, err := db.OutboxDue(ctx, 10)
		if err != nil || len(rows) != 0 {
			t.Fatalf("pending outbox right after a held reply: %d rows, %v; want none", len(rows), err)
		}
		if n, lag, err := db.OutboxLag(ctx); err != nil || n != 0 || lag != 0 {
			t.Errorf("outbox lag with only held rows: %d, %s, %v; want nothing late", n, lag, err)
		}
		now = now.Add(9 * time.Second)
		if rows, _ := db.OutboxDue(ctx, 10); len(rows) != 0 {
			t.Fatalf("pending outbox 9 s later: %d rows, want none", len(rows))
		}
		now = now.Add(time.Second)
		rows, err = db.OutboxDue(ctx, 10)
		if err != nil || len(rows) != 1 || rows[0].NotBefore == nil || !rows[0].NotBefore.Equal(now) {
			t.Fatalf("pending outbox when due: %+v, %v; want the reply's row, not before %s", rows, err, now)
		}
		now = now.Add(3 * time.Second)
		if n, lag, err := db.OutboxLag(ctx); err != nil || n != 1 || lag != 3*time.Second {
			t.Errorf("outbox lag 3 s after the row was due: %d, %s, %v; want 1, 3s", n, lag, err)
		}
	})
}

// TestUndoReplyWithStatus: a reply that resolves is one mail, which says
// so; Undo deletes the reply and its mail, puts the status back, records
// both, and gives the text back; only once, and only to its author.
func TestUndoReplyWithStatus(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		clockAt(db, &now)
		got := deliver(t, db, newTicket("Printer on fire"))
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		other, _ := db.SetRole(ctx, "other@acme.test", "staff")
		msg, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID, Text: "Fixed it.",
			Status: "resolved", Hold: 10 * time.Second,
			Attachments: []store.NewAttachment{{Filename: "a.txt", ContentType: "text/plain", Data: []byte("a")}}})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE ticket_id = ? AND kind = 'status'`, got.TicketID); n != 0 {
			t.Errorf("status mails = %d, want 0: the reply tells of the status", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE ticket_id = ? AND kind = 'reply' AND announces = 'resolved'`, got.TicketID); n != 1 {
			t.Errorf("reply mails announcing resolved = %d, want 1", n)
		}
		if tk, _ := db.Ticket(ctx, got.TicketID); tk.Status != "resolved" {
			t.Fatalf("status = %s, want resolved", tk.Status)
		}
		// While it may still be undone, the customer does not see it.
		if seen, _ := db.Thread(ctx, got.TicketID, false); len(seen) != 1 {
			t.Errorf("the customer sees %d messages while the reply waits, want 1 (theirs)", len(seen))
		}
		if seen, _ := db.Thread(ctx, got.TicketID, true); len(seen) != 2 {
			t.Errorf("staff see %d messages, want 2", len(seen))
		}
		undos, err := db.PendingUndos(ctx, agent.ID, 5)
		if err != nil || len(undos) != 1 || undos[0].MessageID == nil || *undos[0].MessageID != msg || undos[0].TicketNumber != got.TicketNumber {
			t.Fatalf("pending undos = %+v, %v", undos, err)
		}
		if others, _ := db.PendingUndos(ctx, other.ID, 5); len(others) != 0 {
			t.Errorf("a colleague sees %d of the author's undos", len(others))
		}
		if _, err := db.Undo(ctx, undos[0].ID, other.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a colleague's undo: %v, want ErrNotFound", err)
		}
		u, err := db.Undo(ctx, undos[0].ID, agent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.Text != "Fixed it." || !u.Restored || u.Files != 1 {
			t.Errorf("undone = %+v, want the text back, the status restored and one file", u)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE id = ?`, msg); n != 0 {
			t.Error("the reply is still there")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE ticket_id = ? AND kind <> 'confirmation'`, got.TicketID); n != 0 {
			t.Errorf("%d mails left after the undo", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox o JOIN emails e ON e.id = o.email_id WHERE e.ticket_id = ? AND e.kind = 'reply'`, got.TicketID); n != 0 {
			t.Errorf("%d outbox rows left after the undo", n)
		}
		if tk, _ := db.Ticket(ctx, got.TicketID); tk.Status != "open" {
			t.Errorf("status after undo = %s, want open", tk.Status)
		}
		acts, _ := db.Activities(ctx, got.TicketID)
		if n := len(acts); n != 2 || acts[1].OldValue != "resolved" || acts[1].NewValue != "open" {
			t.Errorf("history = %+v, want open→resolved, then resolved→open", acts)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND ticket_id = ?`, store.AuditTicketUndo, got.TicketID); n != 1 {
			t.Errorf("undo audit entries = %d, want 1", n)
		}
		if _, err := db.Undo(ctx, undos[0].ID, agent.ID); !errors.Is(err, store.ErrAlreadyUndone) {
			t.Errorf("a second undo: %v, want ErrAlreadyUndone", err)
		}
	})
}

// TestUndoTooLate: once the mail is due, Undo changes nothing.
func TestUndoTooLate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		clockAt(db, &now)
		got := deliver(t, db, newTicket("Printer on fire"))
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: agent.ID, Status: "resolved", Hold: 5 * time.Second}); err != nil {
			t.Fatal(err)
		}
		undos, _ := db.PendingUndos(ctx, agent.ID, 5)
		if len(undos) != 1 || undos[0].MessageID != nil || undos[0].NewStatus != "resolved" {
			t.Fatalf("pending undos = %+v, want the status change", undos)
		}
		// Within UndoMargin of being due it is already too late: the
		// relay on another machine may be about to take it.
		start := now
		now = start.Add(5*time.Second - store.UndoMargin + 500*time.Millisecond)
		if _, err := db.Undo(ctx, undos[0].ID, agent.ID); !errors.Is(err, store.ErrTooLate) {
			t.Errorf("undo %s before due: %v, want ErrTooLate", store.UndoMargin-500*time.Millisecond, err)
		}
		if left, _ := db.PendingUndos(ctx, agent.ID, 5); len(left) != 0 {
			t.Errorf("pending undos within the margin = %d, want 0 (no button)", len(left))
		}
		now = start.Add(5 * time.Second)
		u, err := db.Undo(ctx, undos[0].ID, agent.ID)
		if !errors.Is(err, store.ErrTooLate) || u == nil || u.Action.TicketNumber != got.TicketNumber {
			t.Fatalf("undo when due: %+v, %v; want ErrTooLate naming the ticket", u, err)
		}
		if tk, _ := db.Ticket(ctx, got.TicketID); tk.Status != "resolved" {
			t.Errorf("status = %s, want resolved", tk.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE ticket_id = ? AND kind = 'status' AND status = 'queued'`, got.TicketID); n != 1 {
			t.Errorf("queued status mails = %d, want 1", n)
		}
		if left, _ := db.PendingUndos(ctx, agent.ID, 5); len(left) != 0 {
			t.Errorf("pending undos once due = %d, want 0", len(left))
		}
	})
}

// TestUndoStatusChange: Undo of a resolve puts the status back and
// cancels the status mail; a later change by somebody else is kept.
func TestUndoStatusChange(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		got := deliver(t, db, newTicket("Printer on fire"))
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: agent.ID, Status: "resolved", Hold: time.Minute}); err != nil {
			t.Fatal(err)
		}
		undos, _ := db.PendingUndos(ctx, agent.ID, 5)
		u, err := db.Undo(ctx, undos[0].ID, agent.ID)
		if err != nil || !u.Restored || u.Text != "" {
			t.Fatalf("undo: %+v, %v", u, err)
		}
		if tk, _ := db.Ticket(ctx, got.TicketID); tk.Status != "open" {
			t.Errorf("status after undo = %s, want open", tk.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE ticket_id = ? AND kind = 'status'`, got.TicketID); n != 0 {
			t.Errorf("status mails after undo = %d, want 0", n)
		}

		// Resolved, then closed by a colleague: the undo cancels the
		// mail but leaves the colleague's status.
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: agent.ID, Status: "resolved", Hold: time.Minute}); err != nil {
			t.Fatal(err)
		}
		exec(t, db, `UPDATE tickets SET status = 'closed' WHERE id = ?`, got.TicketID)
		undos, _ = db.PendingUndos(ctx, agent.ID, 5)
		if u, err = db.Undo(ctx, undos[0].ID, agent.ID); err != nil || u.Restored {
			t.Fatalf("undo after a colleague's change: %+v, %v; want done, status not restored", u, err)
		}
		if tk, _ := db.Ticket(ctx, got.TicketID); tk.Status != "closed" {
			t.Errorf("status = %s, want the colleague's closed", tk.Status)
		}
	})
}

// TestReplyIdempotencyKey: two simultaneous posts of one form make one
// reply and one set of mails, and both get its id; the portal's too.
func TestReplyIdempotencyKey(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		got := deliver(t, db, newTicket("Printer on fire"))
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		before := count(t, db, `SELECT COUNT(*) FROM emails`)
		ids := make([]int64, 4)
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				ids[i], errs[i] = db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID, Text: "Once.",
					Status: "pending", Key: "form-key-1"})
			})
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != ids[0] || ids[0] == 0 {
				t.Fatalf("posts: ids %v, errors %v; want one id for all", ids, errs)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ? AND kind = 'outbound'`, got.TicketID); n != 1 {
			t.Errorf("replies = %d, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails`) - before; n != 1 {
			t.Errorf("mails queued = %d, want 1", n)
		}
		if id, err := db.ReplyByKey(ctx, agent.ID, "form-key-1"); err != nil || id != ids[0] {
			t.Errorf("ReplyByKey = %d, %v; want %d", id, err, ids[0])
		}
		if _, err := db.ReplyByKey(ctx, agent.ID, "other"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ReplyByKey of an unused key: %v, want ErrNotFound", err)
		}
		// Another person may use the same key: keys are per person.
		other, _ := db.SetRole(ctx, "other@acme.test", "staff")
		id, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: other.ID, Text: "Mine.", Key: "form-key-1"})
		if err != nil || id == ids[0] {
			t.Errorf("another person's reply with the same key: %d, %v; want a new reply", id, err)
		}

		// The portal: a customer's form posted twice.
		d := reply(got.TicketID, "alice@example.com")
		d.Key = "portal-key"
		first := deliver(t, db, d)
		d2 := reply(got.TicketID, "alice@example.com")
		d2.Key = "portal-key"
		second := deliver(t, db, d2)
		if second.MessageID != first.MessageID || second.TicketNumber != got.TicketNumber {
			t.Errorf("portal posts: %+v then %+v; want the first's message twice", first, second)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ? AND kind = 'inbound'`, got.TicketID); n != 2 {
			t.Errorf("customer messages = %d, want 2 (the first mail and one reply)", n)
		}
	})
}
