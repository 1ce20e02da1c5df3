package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// splitCase opens a ticket for alice and adds bob's "one more thing" mail
// (with a file), then alice's answer; it returns the ticket and bob's message.
func splitCase(t *testing.T, db *store.DB, clock *time.Time) (a *store.Recorded, bob *store.Recorded, bobMsgID string) {
	t.Helper()
	step := func() { *clock = clock.Add(time.Minute) }
	step()
	d := newTicket("Printer broken")
	d.Priority = "high"
	a = deliver(t, db, d)
	step()
	bd := reply(a.TicketID, "bob@example.com")
	bd.Message.SenderAuth = store.SenderVerified
	bd.Message.Subject = "Also: my invoice"
	bd.Attachments = []store.NewAttachment{{Filename: "invoice.pdf", ContentType: "application/pdf", Data: []byte("pdf")}}
	bob = deliver(t, db, bd)
	step()
	deliver(t, db, reply(a.TicketID, "alice@example.com"))
	step()
	return a, bob, bd.Message.MessageID
}

func TestSplitMessageMakesANewTicket(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		a, bob, bobMsgID := splitCase(t, db, &clock)
		staff, err := db.EnsureUser(ctx, "agent@example.com", "Agent", "staff")
		if err != nil {
			t.Fatal(err)
		}
		s, err := db.SplitMessage(ctx, store.SplitRequest{TicketID: a.TicketID, MessageID: bob.MessageID, ActorID: staff.ID})
		if err != nil {
			t.Fatal(err)
		}
		if s.Number != a.TicketNumber || s.IntoNumber == a.TicketNumber || s.IntoSubj != "Also: my invoice" {
			t.Fatalf("split = %+v, want a new ticket named after the mail's subject", s)
		}
		into, err := db.Ticket(ctx, s.IntoID)
		if err != nil {
			t.Fatal(err)
		}
		bobUser := count(t, db, `SELECT id FROM users WHERE email = 'bob@example.com'`)
		if into.CustomerID != int64(bobUser) || into.Status != "open" || into.Priority != "high" || into.Category != "general" {
			t.Errorf("new ticket = %+v, want bob's, open, high, general", into)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, s.IntoID); n != 1 {
			t.Errorf("new ticket has %d messages, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, a.TicketID); n != 2 {
			t.Errorf("original keeps %d messages, want 2", n)
		}
		if files, err := db.Attachments(ctx, bob.MessageID); err != nil || len(files) != 1 {
			t.Errorf("the moved message's files = %v, %v", files, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM thread_ids WHERE message_id = ? AND ticket_id = ?`, bobMsgID, s.IntoID); n != 1 {
			t.Error("the message's Message-ID did not move to the new ticket")
		}
		if got, err := db.TicketByThreadIDs(ctx, []string{bobMsgID}); err != nil || got.ID != s.IntoID {
			t.Errorf("the mail's thread routes to %v, %v; want the new ticket", got, err)
		}
		if ok, err := db.IsParticipant(ctx, s.IntoID, "bob@example.com"); err != nil || !ok {
			t.Errorf("bob on the new ticket = %v, %v", ok, err)
		}
		if ok, _ := db.IsParticipant(ctx, s.IntoID, "alice@example.com"); ok {
			t.Error("alice joined the new ticket")
		}
		for _, id := range []int64{a.TicketID, s.IntoID} {
			if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND ticket_id = ? AND actor_id = ?`, store.AuditTicketSplit, id, staff.ID); n != 1 {
				t.Errorf("ticket %d: %d split audit entries, want 1", id, n)
			}
		}
		acts, err := db.Activities(ctx, a.TicketID)
		if err != nil || len(acts) != 1 || acts[0].Kind != store.ActivitySplitInto || acts[0].NewValue != fmt.Sprintf("#%d", s.IntoNumber) {
			t.Errorf("original's history = %+v, %v", acts, err)
		}
		acts, err = db.Activities(ctx, s.IntoID)
		if err != nil || len(acts) != 1 || acts[0].Kind != store.ActivitySplitFrom || acts[0].OldValue != fmt.Sprintf("#%d", a.TicketNumber) {
			t.Errorf("new ticket's history = %+v, %v", acts, err)
		}
		for _, id := range []int64{a.TicketID, s.IntoID} {
			splits, err := db.Splits(ctx, id)
			if err != nil || len(splits) != 1 || splits[0].ID != s.ID || splits[0].IntoNumber != s.IntoNumber || splits[0].Number != a.TicketNumber {
				t.Errorf("splits of ticket %d = %+v, %v", id, splits, err)
			}
		}
		if n := count(t, db, `SELECT messages FROM ticket_rows WHERE ticket_id = ?`, a.TicketID); n != 2 {
			t.Errorf("original's inbox row counts %d messages, want 2", n)
		}
		if n := count(t, db, `SELECT messages FROM ticket_rows WHERE ticket_id = ?`, s.IntoID); n != 1 {
			t.Errorf("new ticket's inbox row counts %d messages, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails`); n != 0 {
			t.Errorf("a split queued %d mails, want none", n)
		}
	})
}

func TestSplitKeepsOriginalsLastActivity(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		a := deliver(t, db, newTicket("Printer broken"))
		first := clock
		clock = clock.Add(time.Hour)
		late := deliver(t, db, reply(a.TicketID, "alice@example.com"))
		clock = clock.Add(time.Hour)
		s, err := db.SplitMessage(ctx, store.SplitRequest{TicketID: a.TicketID, MessageID: late.MessageID, Subject: "  Other thing "})
		if err != nil {
			t.Fatal(err)
		}
		orig, err := db.Ticket(ctx, a.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if !orig.LastActivityAt.Equal(first) {
			t.Errorf("original's last activity = %v, want its remaining message's %v", orig.LastActivityAt, first)
		}
		into, err := db.Ticket(ctx, s.IntoID)
		if err != nil {
			t.Fatal(err)
		}
		if into.Subject != "Other thing" || !into.LastActivityAt.Equal(clock) || into.CustomerID != orig.CustomerID {
			t.Errorf("new ticket = %+v", into)
		}
	})
}

func TestSplitRefusals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := deliver(t, db, newTicket("one"))
		later := deliver(t, db, reply(a.TicketID, "alice@example.com"))
		staff, err := db.EnsureUser(ctx, "agent@example.com", "Agent", "staff")
		if err != nil {
			t.Fatal(err)
		}
		note, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: a.TicketID, AuthorID: staff.ID, Note: true, Text: "internal"})
		if err != nil {
			t.Fatal(err)
		}
		b := deliver(t, db, newTicket("two"))
		bLater := deliver(t, db, reply(b.TicketID, "alice@example.com"))
		c := deliver(t, db, newTicket("three"))
		if _, err := db.MergeTickets(ctx, []int64{b.TicketNumber}, c.TicketNumber, 0); err != nil {
			t.Fatal(err)
		}
		eve := newTicket("erase me")
		eve.From = store.Person{Email: "eve@example.com"}
		e := deliver(t, db, eve)
		eLater := deliver(t, db, reply(e.TicketID, "eve@example.com"))
		exec(t, db, `UPDATE users SET erased_at = created_at WHERE email = 'eve@example.com'`)

		refused := []struct {
			name            string
			ticket, message int64
		}{
			{"the first message", a.TicketID, a.MessageID},
			{"a note", a.TicketID, note},
			{"a message of another ticket", a.TicketID, c.MessageID},
			{"from a merged ticket", b.TicketID, bLater.MessageID},
			{"from an erased person's ticket", e.TicketID, eLater.MessageID},
		}
		for _, r := range refused {
			_, err := db.SplitMessage(ctx, store.SplitRequest{TicketID: r.ticket, MessageID: r.message})
			var sr *store.SplitRefused
			if !errors.As(err, &sr) || sr.Reason == "" {
				t.Errorf("%s: err = %v, want SplitRefused", r.name, err)
			}
		}
		_, err = db.SplitMessage(ctx, store.SplitRequest{TicketID: a.TicketID, MessageID: 99999})
		wantNotFound(t, "unknown message", err)
		_, err = db.SplitMessage(ctx, store.SplitRequest{TicketID: 99999, MessageID: later.MessageID})
		wantNotFound(t, "unknown ticket", err)
		if n := count(t, db, `SELECT COUNT(*) FROM splits`); n != 0 {
			t.Errorf("%d splits recorded by refused requests", n)
		}
		if _, err := db.SplitMessage(ctx, store.SplitRequest{TicketID: a.TicketID, MessageID: later.MessageID}); err != nil {
			t.Errorf("a later customer message: %v", err)
		}
	})
}

// TestSplitConcurrentSameMessage: two staff split the same message at
// once; one makes the new ticket, the other is refused.
func TestSplitConcurrentSameMessage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for round := range 10 {
			a := deliver(t, db, newTicket("a"))
			m := deliver(t, db, reply(a.TicketID, "alice@example.com"))
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = db.SplitMessage(ctx, store.SplitRequest{TicketID: a.TicketID, MessageID: m.MessageID})
				}()
			}
			wg.Wait()
			won, refused := 0, 0
			for _, err := range errs {
				var sr *store.SplitRefused
				switch {
				case err == nil:
					won++
				case errors.As(err, &sr):
					refused++
				default:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if won != 1 || refused != 1 {
				t.Fatalf("round %d: %d won, %d refused; want 1 and 1", round, won, refused)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM splits WHERE ticket_id = ?`, a.TicketID); n != 1 {
				t.Fatalf("round %d: %d splits, want 1", round, n)
			}
		}
	})
}

// TestSplitRefusesAForwardedMessage: answers to a forward come back by an
// address signed for the original, so a forwarded message stays there.
func TestSplitRefusesAForwardedMessage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		a, bob, _ := splitCase(t, db, &clock)
		staff, err := db.EnsureUser(ctx, "agent@example.com", "Agent", "staff")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Forward(ctx, store.NewForward{TicketID: a.TicketID, MessageID: bob.MessageID, ActorID: staff.ID, To: "parts@supplier.test"}); err != nil {
			t.Fatal(err)
		}
		_, err = db.SplitMessage(ctx, store.SplitRequest{TicketID: a.TicketID, MessageID: bob.MessageID, ActorID: staff.ID})
		var refused *store.SplitRefused
		if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "forwarded") {
			t.Errorf("splitting a forwarded message: %v", err)
		}
	})
}
