package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// startTicket opens a ticket from sam@support.example to ada@example.com
// with bob in Cc and a file; it returns the staff member and what was written.
func startTicket(t *testing.T, db *store.DB) (*store.User, *store.Started) {
	t.Helper()
	ctx := context.Background()
	sam, err := db.SetRole(ctx, "sam@support.example", "staff")
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.StartTicket(ctx, store.StaffStart{StaffID: sam.ID, To: store.Person{Email: "Ada@Example.com"},
		Cc: []store.Person{{Email: "bob@example.com", Name: "Bob"}}, Subject: "Your order", Text: "Your parcel is delayed.",
		Priority: "high", Category: "general", AssigneeID: &sam.ID,
		Attachments: []store.NewAttachment{{Filename: "label.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 label")}}})
	if err != nil {
		t.Fatal(err)
	}
	return sam, got
}

// A staff-started ticket: a new customer record (customer, on this
// ticket only), the ticket marked staff-started, the first message an
// outbound staff message with its file, the Cc a participant, one reply
// mail each queued through the outbox, and the audit log says who started it.
func TestStartTicket(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sam, got := startTicket(t, db)
		tk, err := db.Ticket(ctx, got.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Channel != store.ChannelStaff || tk.Priority != "high" || tk.Status != "open" || tk.AssigneeID == nil || *tk.AssigneeID != sam.ID {
			t.Errorf("ticket %+v: want channel staff, high, open, assigned to sam", tk)
		}
		ada, err := db.UserByEmail(ctx, "ada@example.com")
		if err != nil || ada.Role != store.RoleCustomer || tk.CustomerID != ada.ID {
			t.Fatalf("customer %+v %v", ada, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM participants WHERE user_id = ?`, ada.ID); n != 1 {
			t.Errorf("ada takes part in %d tickets, want only this one", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM participants p JOIN users u ON u.id = p.user_id WHERE p.ticket_id = ? AND u.email = 'bob@example.com' AND p.role = 'cc'`, tk.ID); n != 1 {
			t.Error("bob is not a Cc participant")
		}
		msgs, err := db.Messages(ctx, tk.ID)
		if err != nil || len(msgs) != 1 || msgs[0].Kind != "outbound" || *msgs[0].AuthorID != sam.ID || msgs[0].Text != "Your parcel is delayed." {
			t.Fatalf("messages %+v %v", msgs, err)
		}
		if files, err := db.Attachments(ctx, got.MessageID); err != nil || len(files) != 1 || files[0].Filename != "label.pdf" {
			t.Errorf("attachments %+v %v", files, err)
		}
		if got.MailStatus != store.EmailQueued {
			t.Errorf("mail status %q", got.MailStatus)
		}
		for _, to := range []string{"ada@example.com", "bob@example.com"} {
			if n := count(t, db, `SELECT COUNT(*) FROM emails e JOIN outbox o ON o.email_id = e.id
				WHERE e.to_email = ? AND e.kind = 'reply' AND e.message_id = ? AND e.status = 'queued'`, to, got.MessageID); n != 1 {
				t.Errorf("%d queued reply mails with an outbox row to %s, want 1", n, to)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ? AND ticket_id = ? AND user_id = ?`,
			store.AuditTicketStart, sam.ID, tk.ID, ada.ID); n != 1 {
			t.Errorf("%d audit entries for the start, want 1", n)
		}
	})
}

// Staff addresses are refused as customer and as Cc, and nothing is
// written; a suppressed address gets its ticket, and its mail says why it
// did not go; the same form twice opens one ticket.
func TestStartTicketRefusals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sam, err := db.SetRole(ctx, "sam@support.example", "staff")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []store.StaffStart{
			{To: store.Person{Email: "sam@support.example"}},
			{To: store.Person{Email: "ada@example.com"}, Cc: []store.Person{{Email: "SAM@support.example"}}},
		} {
			s.StaffID, s.Subject, s.Text = sam.ID, "Hello", "Hi"
			if _, err := db.StartTicket(ctx, s); !errors.Is(err, store.ErrStaffAddress) {
				t.Errorf("%+v: %v, want ErrStaffAddress", s, err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets`); n != 0 {
			t.Errorf("%d tickets after refusals", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users WHERE email = 'ada@example.com'`); n != 0 {
			t.Error("a refused start left a customer record behind")
		}
		if err := db.Suppress(ctx, "eve@example.com", "bounce", "test"); err != nil {
			t.Fatal(err)
		}
		s := store.StaffStart{StaffID: sam.ID, To: store.Person{Email: "eve@example.com"}, Subject: "Hello", Text: "Hi", Key: "form-1"}
		got, err := db.StartTicket(ctx, s)
		if err != nil || got.MailStatus != store.EmailSuppressed {
			t.Fatalf("suppressed: %+v %v", got, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox`); n != 0 {
			t.Errorf("%d outbox rows for a suppressed address", n)
		}
		again, err := db.StartTicket(ctx, s)
		if err != nil || again.TicketNumber != got.TicketNumber {
			t.Errorf("the same form again: %+v %v, want #%d", again, err, got.TicketNumber)
		}
	})
}
