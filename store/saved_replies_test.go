package store_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestCheckPlaceholders(t *testing.T) {
	for _, ok := range []string{"Hi {{customer.first_name}},", "Hi {{ customer.first_name | there }}", "No placeholders", "{{ticket.number}} {{agent.name}}"} {
		if err := store.CheckPlaceholders(ok); err != nil {
			t.Errorf("CheckPlaceholders(%q) = %v", ok, err)
		}
	}
	for body, named := range map[string]string{
		"Hi {{customer.frist_name}},":   "{{customer.frist_name}}",
		"Order {{order.id|none}}":       "{{order.id|none}}",
		"Hi {{customer.first_name, bye": "never closed",
	} {
		err := store.CheckPlaceholders(body)
		if err == nil || !strings.Contains(err.Error(), named) {
			t.Errorf("CheckPlaceholders(%q) = %v, want an error naming %q", body, err, named)
		}
	}
}

func TestFillPlaceholders(t *testing.T) {
	v := store.PlaceholderValues{"customer.first_name": "", "ticket.number": "42", "agent.name": "Mia Jones", "agent.first_name": "Mia"}
	got, err := store.FillPlaceholders("Hi {{customer.first_name}}, re #{{ticket.number}}. Dear {{customer.first_name|friend}}. {{agent.first_name}}", v)
	if err != nil || got.Text != "Hi there, re #42. Dear friend. Mia" {
		t.Errorf("FillPlaceholders = %q, %v", got.Text, err)
	}
	if len(got.Fallbacks) != 2 || got.Fallbacks[0] != (store.FallbackUsed{Name: "customer.first_name", Used: "there"}) {
		t.Errorf("fallbacks = %+v", got.Fallbacks)
	}
}

// savedSetup makes a ticket from Alice Smith and two staff members.
func savedSetup(t *testing.T, db *store.DB) (ticket, mia, tom int64) {
	t.Helper()
	ctx := context.Background()
	d := newTicket("Invoice wrong")
	d.From.Name = "Alice Smith"
	ticket = deliver(t, db, d).TicketID
	m, err := db.SetRole(ctx, "mia@acme.test", "staff")
	if err != nil {
		t.Fatal(err)
	}
	o, err := db.SetRole(ctx, "tom@acme.test", "staff")
	if err != nil {
		t.Fatal(err)
	}
	return ticket, m.ID, o.ID
}

func TestSavedReplyValidation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, mia, _ := savedSetup(t, db)
		cust, err := db.EnsureUser(ctx, "bob@example.com", "Bob", "customer")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			in            store.SavedReplyInput
			field, naming string
		}{
			{store.SavedReplyInput{Title: "Hi", Body: "Hi {{customer.firstname}}"}, "body", "{{customer.firstname}}"},
			{store.SavedReplyInput{Title: "", Body: "x"}, "title", ""},
			{store.SavedReplyInput{Title: "x", Body: "  "}, "body", ""},
			{store.SavedReplyInput{Title: "x", Body: "y", Status: "done"}, "status", ""},
			{store.SavedReplyInput{Title: "x", Body: "y", Priority: "asap"}, "priority", ""},
			{store.SavedReplyInput{Title: "x", Body: "y", Tags: "ok, a\x00b"}, "tags", ""},
			{store.SavedReplyInput{Title: "x", Body: "y", AssigneeID: cust.ID}, "assignee", ""},
		} {
			_, err := db.CreateSavedReply(ctx, mia, c.in)
			var se *store.SavedReplyError
			if !errors.As(err, &se) || se.Field != c.field || !strings.Contains(se.Reason, c.naming) {
				t.Errorf("CreateSavedReply(%+v) = %v, want a %s error naming %q", c.in, err, c.field, c.naming)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM saved_replies`); n != 0 {
			t.Errorf("%d refused replies were stored", n)
		}
		s, err := db.CreateSavedReply(ctx, mia, store.SavedReplyInput{Title: " Refund  sent ", Body: "Hi {{ customer.first_name|there }}",
			Status: "pending", Tags: "Billing, VIP, billing", AssigneeID: mia})
		if err != nil || s.Title != "Refund sent" || s.AddTags != "billing, vip" || !s.Shared() {
			t.Fatalf("CreateSavedReply = %+v, %v", s, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ?`, store.AuditSavedReplyCreate, mia); n != 1 {
			t.Errorf("%d create audits, want 1", n)
		}
		// Updating to an unknown placeholder is refused too, and changes nothing.
		if _, err := db.UpdateSavedReply(ctx, mia, s.ID, store.SavedReplyInput{Title: "x", Body: "{{ticket.id}}"}); err == nil || !strings.Contains(err.Error(), "{{ticket.id}}") {
			t.Errorf("update with unknown placeholder = %v", err)
		}
		if got, _ := db.SavedReply(ctx, mia, s.ID); got.Body != s.Body {
			t.Errorf("refused update changed the body to %q", got.Body)
		}
	})
}

func TestSavedReplyVisibility(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, mia, tom := savedSetup(t, db)
		shared, err := db.CreateSavedReply(ctx, mia, store.SavedReplyInput{Title: "Shared refund", Body: "Your refund is on its way"})
		if err != nil {
			t.Fatal(err)
		}
		own, err := db.CreateSavedReply(ctx, mia, store.SavedReplyInput{Title: "Mia's sign-off", Body: "Cheers, refund", Personal: true})
		if err != nil {
			t.Fatal(err)
		}
		titles := func(staff int64, q string) []string {
			list, err := db.SavedReplies(ctx, staff, q, 0)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range list {
				out = append(out, s.Title)
			}
			return out
		}
		if got := titles(mia, ""); len(got) != 2 {
			t.Errorf("Mia sees %q", got)
		}
		if got := titles(tom, ""); !slices.Equal(got, []string{"Shared refund"}) {
			t.Errorf("Tom sees %q", got)
		}
		if got := titles(mia, "CHEERS"); !slices.Equal(got, []string{"Mia's sign-off"}) {
			t.Errorf("search CHEERS = %q", got)
		}
		if got := titles(mia, "100%"); len(got) != 0 {
			t.Errorf("a %% is matched literally, got %q", got)
		}
		_, err = db.SavedReply(ctx, tom, own.ID)
		wantNotFound(t, "Tom reads Mia's personal reply", err)
		_, err = db.UpdateSavedReply(ctx, tom, own.ID, store.SavedReplyInput{Title: "mine", Body: "x"})
		wantNotFound(t, "Tom edits Mia's personal reply", err)
		wantNotFound(t, "Tom deletes Mia's personal reply", db.DeleteSavedReply(ctx, tom, own.ID))
		if _, err := db.UpdateSavedReply(ctx, tom, shared.ID, store.SavedReplyInput{Title: "x", Body: "y"}); !errors.Is(err, store.ErrSavedReplyLocked) {
			t.Errorf("Tom edits Mia's shared reply: %v, want ErrSavedReplyLocked", err)
		}
		admin, err := db.SetRole(ctx, "boss@acme.test", "admin")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateSavedReply(ctx, admin.ID, shared.ID, store.SavedReplyInput{Title: "Refund (edited)", Body: "y"}); err != nil {
			t.Errorf("an admin edits a shared reply: %v", err)
		}
		if err := db.DeleteSavedReply(ctx, mia, own.ID); err != nil {
			t.Errorf("Mia deletes her own: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action IN (?, ?)`, store.AuditSavedReplyUpdate, store.AuditSavedReplyDelete); n != 2 {
			t.Errorf("%d update and delete audits, want 2", n)
		}
	})
}

func TestRenderSavedReply(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tk, mia, _ := savedSetup(t, db)
		if _, err := db.SaveStaffProfile(ctx, mia, "Mia Jones", ""); err != nil {
			t.Fatal(err)
		}
		s, err := db.CreateSavedReply(ctx, mia, store.SavedReplyInput{Title: "Hello",
			Body: "Hi {{customer.first_name}}, about #{{ticket.number}} ({{ticket.subject}}) for {{customer.email}}. {{agent.first_name}}"})
		if err != nil {
			t.Fatal(err)
		}
		tkt, err := db.Ticket(ctx, tk)
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := db.RenderSavedReply(ctx, tk, mia, s.ID)
		want := "Hi Alice, about #" + strconv.FormatInt(tkt.Number, 10) + " (Invoice wrong) for alice@example.com. Mia"
		if err != nil || got.Text != want || len(got.Fallbacks) != 0 {
			t.Errorf("RenderSavedReply = %q %+v, %v; want %q", got.Text, got.Fallbacks, err, want)
		}
		// A customer with no name is "there", never "Hi ,".
		exec(t, db, `UPDATE users SET name = '' WHERE email = 'alice@example.com'`)
		if _, got, _ = db.RenderSavedReply(ctx, tk, mia, s.ID); !strings.HasPrefix(got.Text, "Hi there, about") {
			t.Errorf("nameless render = %q", got.Text)
		}
	})
}

func TestApplySavedReplyActions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tk, mia, tom := savedSetup(t, db)
		pend, err := db.CreateSavedReply(ctx, mia, store.SavedReplyInput{Title: "Waiting", Body: "x", Status: "pending",
			Priority: "high", AssigneeID: tom, Tags: "billing"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ApplySavedReplyActions(ctx, tk, mia, pend.ID, 0); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Ticket(ctx, tk)
		tags, _ := db.TicketTags(ctx, tk)
		if got.Status != "pending" || got.Priority != "high" || got.AssigneeID == nil || *got.AssigneeID != tom || !slices.Equal(tags, []string{"billing"}) {
			t.Errorf("after actions: %+v tags %q", got, tags)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, tk); n != 1 {
			t.Errorf("%d messages, want only the customer's", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status' AND ticket_id = ?`, tk); n != 0 {
			t.Errorf("pending sent %d status mails", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND ticket_id = ?`, store.AuditTicketChange, tk); n != 1 {
			t.Errorf("%d change audits, want one change", n)
		}
		resolve, err := db.CreateSavedReply(ctx, tom, store.SavedReplyInput{Title: "Done", Body: "x", Status: "resolved", Personal: true})
		if err != nil {
			t.Fatal(err)
		}
		wantNotFound(t, "Mia applies Tom's personal reply", db.ApplySavedReplyActions(ctx, tk, mia, resolve.ID, 0))
		if err := db.ApplySavedReplyActions(ctx, tk, tom, resolve.ID, 0); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status' AND ticket_id = ?`, tk); n != 1 {
			t.Errorf("resolving sent %d status mails, want 1 (as ChangeTicket)", n)
		}
		after, _ := db.SavedReply(ctx, mia, pend.ID)
		if after.Uses != 1 || after.LastUsedAt == nil {
			t.Errorf("uses = %d, last used %v", after.Uses, after.LastUsedAt)
		}
	})
}

func TestAddStaffReplyWithSaved(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tk, mia, _ := savedSetup(t, db)
		s, err := db.CreateSavedReply(ctx, mia, store.SavedReplyInput{Title: "Solved", Body: "x", Status: "resolved", Priority: "low", Tags: "refund"})
		if err != nil {
			t.Fatal(err)
		}
		// The composer offers the saved reply's status; what is posted is sent.
		r := store.StaffReply{TicketID: tk, AuthorID: mia, Text: "Refunded.", Status: "resolved", Key: "k1"}
		id, err := db.AddStaffReplyWithSaved(ctx, r, s.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		again, err := db.AddStaffReplyWithSaved(ctx, r, s.ID, true)
		if err != nil || again != id {
			t.Errorf("the same form again = %d, %v; want %d", again, err, id)
		}
		got, _ := db.Ticket(ctx, tk)
		tags, _ := db.TicketTags(ctx, tk)
		if got.Status != "resolved" || got.Priority != "low" || !slices.Equal(tags, []string{"refund"}) {
			t.Errorf("after the reply: %s %s %q", got.Status, got.Priority, tags)
		}
		// One mail: the reply, announcing the resolve; no separate status mail.
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE ticket_id = ? AND kind = 'status'`, tk); n != 0 {
			t.Errorf("%d status mails besides the reply", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE ticket_id = ? AND kind = 'reply'`, tk); n != 1 {
			t.Errorf("%d reply mails, want 1", n)
		}
		if u, _ := db.SavedReply(ctx, mia, s.ID); u.Uses != 1 {
			t.Errorf("uses = %d after one reply sent twice", u.Uses)
		}
		// Without its actions, only the use is counted.
		if _, err := db.AddStaffReplyWithSaved(ctx, store.StaffReply{TicketID: tk, AuthorID: mia, Text: "More", Key: "k2"}, s.ID, false); err != nil {
			t.Fatal(err)
		}
		if u, _ := db.SavedReply(ctx, mia, s.ID); u.Uses != 2 {
			t.Errorf("uses = %d, want 2", u.Uses)
		}
		// Staff who change the offered status to pending get pending, not
		// the saved reply's resolved.
		if _, err := db.AddStaffReplyWithSaved(ctx, store.StaffReply{TicketID: tk, AuthorID: mia, Text: "Wait", Status: "pending", Key: "k3"}, s.ID, true); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Ticket(ctx, tk); got.Status != "pending" {
			t.Errorf("the status chosen in the composer was overridden: %s", got.Status)
		}
	})
}
