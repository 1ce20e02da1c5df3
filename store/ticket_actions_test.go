package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestChangeTicketRecordsActivity(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		got := deliver(t, db, newTicket("Printer on fire"))
		agent, err := db.SetRole(ctx, "agent@acme.test", "staff")
		if err != nil {
			t.Fatal(err)
		}
		customer, _ := db.UserByEmail(ctx, "alice@example.com")
		err = db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: agent.ID, Status: "pending", Priority: "high",
			Category: "billing", Assignee: &agent.ID})
		if err != nil {
			t.Fatal(err)
		}
		tk, _ := db.Ticket(ctx, got.TicketID)
		if tk.Status != "pending" || tk.Priority != "high" || tk.Category != "billing" || tk.AssigneeID == nil || *tk.AssigneeID != agent.ID {
			t.Errorf("ticket after change: %+v", tk)
		}
		// Nothing changes: nothing recorded.
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: agent.ID, Status: "pending"}); err != nil {
			t.Fatal(err)
		}
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: agent.ID, Unassign: true, Status: "resolved"}); err != nil {
			t.Fatal(err)
		}
		acts, err := db.Activities(ctx, got.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"status open→pending", "priority normal→high", "category general→billing", "assignee →agent@acme.test",
			"status pending→resolved", "assignee agent@acme.test→"}
		if len(acts) != len(want) {
			t.Fatalf("activities = %+v", acts)
		}
		for i, a := range acts {
			if s := a.Kind + " " + a.OldValue + "→" + a.NewValue; s != want[i] || a.ActorEmail != "agent@acme.test" {
				t.Errorf("activity %d = %q by %q, want %q", i, s, a.ActorEmail, want[i])
			}
		}
		// Resolving mails the customer.
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status' AND ticket_id = ?`, got.TicketID); n != 1 {
			t.Errorf("status mails = %d, want 1", n)
		}
		// Only staff can be assigned; only known values are accepted.
		for _, c := range []store.Change{
			{TicketID: got.TicketID, Assignee: &customer.ID},
			{TicketID: got.TicketID, Status: "deleted"},
			{TicketID: got.TicketID, Priority: "whenever"},
		} {
			if err := db.ChangeTicket(ctx, c); !errors.Is(err, store.ErrInvalidChange) {
				t.Errorf("change %+v: %v, want ErrInvalidChange", c, err)
			}
		}
		wantNotFound(t, "missing ticket", db.ChangeTicket(ctx, store.Change{TicketID: 999999, Status: "open"}))
	})
}

func TestThreadAndAttachments(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newTicket("Invoice")
		d.Priority = "urgent"
		d.Attachments = []store.NewAttachment{{Filename: "invoice.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4")}}
		got := deliver(t, db, d)
		if tk, _ := db.Ticket(ctx, got.TicketID); tk.Priority != "urgent" {
			t.Errorf("priority = %s", tk.Priority)
		}
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID, Text: "internal", Note: true,
			Attachments: []store.NewAttachment{{Filename: "secret.txt", ContentType: "text/plain", Data: []byte("x")}}}); err != nil {
			t.Fatal(err)
		}
		replyID, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID, Text: "We are on it."})
		if err != nil {
			t.Fatal(err)
		}
		public, err := db.Thread(ctx, got.TicketID, false)
		if err != nil || len(public) != 2 || public[0].AuthorEmail != "alice@example.com" || public[1].AuthorRole != "staff" {
			t.Fatalf("thread without notes: %+v, %v", public, err)
		}
		if len(public[0].Attachments) != 1 || public[0].Attachments[0].Filename != "invoice.pdf" {
			t.Errorf("attachments: %+v", public[0].Attachments)
		}
		all, _ := db.Thread(ctx, got.TicketID, true)
		if len(all) != 3 || all[1].Kind != "note" || len(all[1].Attachments) != 1 {
			t.Fatalf("thread with notes: %+v", all)
		}
		f, err := db.AttachmentByID(ctx, all[1].Attachments[0].ID)
		if err != nil || f.Kind != "note" || f.TicketID != got.TicketID || f.Filename != "secret.txt" {
			t.Errorf("AttachmentByID = %+v, %v", f, err)
		}
		_, err = db.AttachmentByID(ctx, 999999)
		wantNotFound(t, "attachment", err)
		if last, err := db.LastMessageID(ctx, got.TicketID); err != nil || last != replyID {
			t.Errorf("LastMessageID = %d, %v; want %d", last, err, replyID)
		}
		alice, _ := db.UserByEmail(ctx, "alice@example.com")
		if ok, _ := db.IsParticipantUser(ctx, got.TicketID, alice.ID); !ok {
			t.Error("alice is not a participant")
		}
		if ok, _ := db.IsParticipantUser(ctx, got.TicketID, agent.ID); ok {
			t.Error("the agent became a participant")
		}
	})
}
