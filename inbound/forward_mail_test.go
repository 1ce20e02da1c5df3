package inbound_test

import (
	"context"
	"errors"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// A third party's answer to a forward, by the forward's address, is kept
// on the ticket as an internal note marked with the forward: they take no
// part in the ticket and nobody is mailed. A forged address (wrong mac,
// another ticket's forward) and a mail that only points at the ticket by
// headers or [#N] do not reach it.
func TestForwardAnswerIsANote(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, pipelineOpts())
		sam, err := db.SetRole(ctx, "sam@support.example", "staff")
		if err != nil {
			t.Fatal(err)
		}
		start := func(to string) *store.Started {
			got, err := db.StartTicket(ctx, store.StaffStart{StaffID: sam.ID, To: store.Person{Email: to}, Subject: "Fuser", Text: "Your fuser is broken."})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		one, two := start("ada@example.com"), start("bob@example.com")
		if _, err := db.Forward(ctx, store.NewForward{TicketID: one.TicketID, MessageID: one.MessageID, ActorID: sam.ID, To: "ada@example.com"}); !errorsIs(err, store.ErrForwardToParticipant) {
			t.Errorf("a forward to the customer: %v, want ErrForwardToParticipant", err)
		}
		fwd, err := db.Forward(ctx, store.NewForward{TicketID: one.TicketID, MessageID: one.MessageID, ActorID: sam.ID, To: "Parts@Supplier.test", Note: "Do you have one?"})
		if err != nil {
			t.Fatal(err)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'forward' AND to_email = 'parts@supplier.test' AND forward_id = ? AND status = 'queued'`, fwd.ID); n != 1 {
			t.Fatalf("%d forward mails queued", n)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND ticket_id = ? AND actor_id = ?`, store.AuditTicketForward, one.TicketID, sam.ID); n != 1 {
			t.Errorf("%d audit entries for the forward", n)
		}
		good := replyaddr.ForwardAddr(pipelineSecret, "support", pipelineDomain, one.TicketNumber, fwd.ID)
		forged := []struct{ name, to string }{
			{"wrong mac", good[:len(good)-len("@"+pipelineDomain)-1] + "0@" + pipelineDomain},
			{"another ticket's number with this forward", replyaddr.ForwardAddr(pipelineSecret, "support", pipelineDomain, two.TicketNumber, fwd.ID)},
			{"another secret", replyaddr.ForwardAddr("not the secret", "support", pipelineDomain, one.TicketNumber, fwd.ID)},
		}
		for _, f := range forged {
			res, err := p.Ingest(ctx, senderMail("parts@supplier.test", "Re: Fwd: Fuser", "Cc: "+f.to+"\r\n", f.name), inbound.Envelope{})
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			if res.Ticket != nil && (*res.Ticket == one.TicketNumber || *res.Ticket == two.TicketNumber) {
				t.Errorf("%s: %+v reached a ticket", f.name, res)
			}
		}
		for _, c := range []struct{ name, subject, extra string }{
			{"subject tag", "Re: [#" + itoa(one.TicketNumber) + "] Fuser", ""},
		} {
			res, err := p.Ingest(ctx, senderMail("parts@supplier.test", c.subject, c.extra, c.name), inbound.Envelope{})
			if err != nil || (res.Ticket != nil && *res.Ticket == one.TicketNumber) {
				t.Errorf("%s: %+v %v reached the ticket", c.name, res, err)
			}
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id IN (?, ?) AND kind <> 'outbound'`, one.TicketID, two.TicketID); n != 0 {
			t.Fatalf("%d messages reached the tickets without the forward's address", n)
		}

		emailsBefore := pipelineCount(t, db, `SELECT COUNT(*) FROM emails WHERE kind NOT IN ('staff_notice', 'staff_digest')`)
		res, err := p.Ingest(ctx, senderMail("Parts Desk <parts@supplier.test>", "Re: Fwd: [#"+itoa(one.TicketNumber)+"] Fuser", "Cc: ada@example.com, "+good+"\r\n", "Yes, 3 in stock."), inbound.Envelope{})
		if err != nil || res.Action != store.ActionAppended || res.Ticket == nil || *res.Ticket != one.TicketNumber {
			t.Fatalf("the answer: %+v %v", res, err)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM messages WHERE id = ? AND ticket_id = ? AND kind = 'note' AND forward_id = ? AND text LIKE '%3 in stock%'`,
			*res.Message, one.TicketID, fwd.ID); n != 1 {
			t.Error("the answer is not an internal note marked with the forward")
		}
		// The same mail again (a resend, a re-ingest) adds nothing.
		again, err := p.Ingest(ctx, senderMail("Parts Desk <parts@supplier.test>", "Re: Fwd: [#"+itoa(one.TicketNumber)+"] Fuser", "Cc: ada@example.com, "+good+"\r\n", "Yes, 3 in stock."), inbound.Envelope{})
		if err != nil || again.Action != store.ActionDuplicate {
			t.Errorf("the answer again: %+v %v, want duplicate", again, err)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM participants p JOIN users u ON u.id = p.user_id WHERE u.email = 'parts@supplier.test' AND p.ticket_id = ?`, one.TicketID); n != 0 {
			t.Error("the third party became a participant")
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM emails WHERE kind NOT IN ('staff_notice', 'staff_digest')`); n != emailsBefore {
			t.Errorf("%d mails queued after the third party wrote, want none but staff notices", n-emailsBefore)
		}
		// The staff member who forwarded is told, and nobody else.
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM staff_events WHERE message_id = ? AND user_id = ?`, *res.Message, sam.ID); n != 1 {
			t.Errorf("the forwarder was told %d times of the answer, want 1", n)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM emails e JOIN users u ON u.email = e.to_email WHERE u.role = 'customer' AND e.created_at >= (SELECT created_at FROM messages WHERE id = ?)`, *res.Message); n != 0 {
			t.Errorf("%d mails to customers after the answer", n)
		}
		thread, err := db.Thread(ctx, one.TicketID, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range thread {
			if m.ForwardID != nil {
				t.Error("the customer's view of the thread shows the answer to the forward")
			}
		}
		forwards, err := db.Forwards(ctx, one.TicketID)
		if err != nil || len(forwards) != 1 || forwards[0].Answers != 1 || forwards[0].ActorEmail != "sam@support.example" || forwards[0].Note != "Do you have one?" {
			t.Errorf("forwards %+v %v", forwards, err)
		}

		// A From header naming a colleague proves nothing: the note is
		// the forward's recipient's, and says what the header claimed.
		res, err = p.Ingest(ctx, senderMail("Sam <sam@support.example>", "Re: Fwd: Fuser", "Cc: "+good+"\r\n", "Refund them at once."), inbound.Envelope{})
		if err != nil || res.Message == nil {
			t.Fatalf("the forged answer: %+v %v", res, err)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM messages m JOIN users u ON u.id = m.author_id
			WHERE m.id = ? AND m.kind = 'note' AND u.email = 'parts@supplier.test' AND m.sender_auth_reason LIKE '%sam@support.example%'`, *res.Message); n != 1 {
			t.Error("an answer whose From names a colleague is not the recipient's, marked with the claim")
		}
		// The customer writing to the forward's address (a reply-all to
		// the supplier) is a customer message, never a hidden note.
		res, err = p.Ingest(ctx, senderMail("ada@example.com", "Re: [#"+itoa(one.TicketNumber)+"] Fuser", "Cc: "+good+"\r\n", "Thanks both!"), inbound.Envelope{})
		if err != nil || res.Message == nil || res.Ticket == nil || *res.Ticket != one.TicketNumber {
			t.Fatalf("the customer's reply-all: %+v %v", res, err)
		}
		if n := pipelineCount(t, db, `SELECT COUNT(*) FROM messages WHERE id = ? AND kind = 'inbound' AND forward_id IS NULL`, *res.Message); n != 1 {
			t.Error("the customer's mail to the forward's address became a note")
		}
	})
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
