package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// who lists recipients as "email:skip" for comparing.
func who(rs []store.Recipient) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Role+" "+r.Email+":"+r.Skip)
	}
	return out
}

// Recipients is who a reply goes to, and why someone gets none; a staff
// reply then queues exactly that: a mail to each recipient who gets one,
// and a suppressed row for a suppressed address.
func TestRecipientsAreWhoTheReplyGoesTo(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newTicket("printer")
		d.Message.SenderAuth = store.SenderVerified
		d.Cc = []store.Person{{Email: "bob@example.com", Name: "Bob"}, {Email: "carol@example.com"}}
		got := deliver(t, db, d)
		if err := db.Suppress(ctx, "carol@example.com", "hard bounce", "ses-bounce"); err != nil {
			t.Fatal(err)
		}
		rs, err := db.Recipients(ctx, got.TicketID, store.EmailReply)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"customer alice@example.com:", "cc bob@example.com:", "cc carol@example.com:address suppressed: hard bounce"}
		if !slices.Equal(who(rs), want) {
			t.Fatalf("recipients = %q, want %q", who(rs), want)
		}
		staff, err := db.EnsureUser(ctx, "sam@support.example", "Sam", "staff")
		if err != nil {
			t.Fatal(err)
		}
		msg, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: staff.ID, Text: "On it."})
		if err != nil {
			t.Fatal(err)
		}
		var mailed []string
		for _, to := range []string{"alice@example.com", "bob@example.com", "carol@example.com"} {
			es, _ := db.Emails(ctx, to)
			for _, e := range es {
				if e.MessageID != nil && *e.MessageID == msg {
					mailed = append(mailed, to+":"+e.Status)
				}
			}
		}
		if want := []string{"alice@example.com:queued", "bob@example.com:queued", "carol@example.com:suppressed"}; !slices.Equal(mailed, want) {
			t.Errorf("the reply was queued as %q, want %q", mailed, want)
		}
	})
}

// Staff add a person (history and audit log say so) and remove them: the
// removed person no longer sees the ticket, loses mail still queued, gets
// no later mail, and comes back neither by writing to the ticket nor by
// the customer's Cc, only when staff add them again. The customer stays.
func TestAddAndRemoveParticipant(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := newTicket("printer")
		d.Message.SenderAuth = store.SenderVerified
		got := deliver(t, db, d)
		staff, err := db.EnsureUser(ctx, "sam@support.example", "Sam", "staff")
		if err != nil {
			t.Fatal(err)
		}
		p, err := store.ParseAddress("Dan <Dan@Example.com>", "")
		if err != nil || p.Email != "dan@example.com" || p.Name != "Dan" {
			t.Fatalf("ParseAddress = %+v, %v", p, err)
		}
		if _, err := store.ParseAddress("not an address", ""); !errors.Is(err, store.ErrBadAddress) {
			t.Errorf("ParseAddress of nonsense: %v", err)
		}
		dan, err := db.AddParticipant(ctx, got.TicketID, staff.ID, p)
		if err != nil || dan.Role != "cc" || dan.Email != "dan@example.com" {
			t.Fatalf("add: %+v, %v", dan, err)
		}
		if _, err := db.AddParticipant(ctx, got.TicketID, staff.ID, p); !errors.Is(err, store.ErrAlreadyOnTicket) {
			t.Errorf("adding twice: %v", err)
		}
		if _, err := db.AddParticipant(ctx, got.TicketID, staff.ID, store.Person{Email: "sam@support.example"}); !errors.Is(err, store.ErrStaffAddress) {
			t.Errorf("adding staff: %v", err)
		}
		acts, _ := db.Activities(ctx, got.TicketID)
		if len(acts) != 1 || acts[0].Kind != "cc" || acts[0].NewValue != "dan@example.com" || acts[0].ActorEmail != "sam@support.example" {
			t.Errorf("history after adding: %+v", acts)
		}
		if ok, _ := db.IsParticipantUser(ctx, got.TicketID, dan.UserID); !ok {
			t.Fatal("dan is not a participant after being added")
		}
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: staff.ID, Text: "queued for dan"}); err != nil {
			t.Fatal(err)
		}

		alice, _ := db.UserByEmail(ctx, "alice@example.com")
		if _, err := db.RemoveParticipant(ctx, got.TicketID, alice.ID, staff.ID); !errors.Is(err, store.ErrCustomerStays) {
			t.Errorf("removing the customer: %v", err)
		}
		if _, err := db.RemoveParticipant(ctx, got.TicketID, dan.UserID, staff.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.RemoveParticipant(ctx, got.TicketID, dan.UserID, staff.ID)
		wantNotFound(t, "removing twice", err)
		if ok, _ := db.IsParticipantUser(ctx, got.TicketID, dan.UserID); ok {
			t.Error("dan still sees the ticket")
		}
		if page, _ := db.CustomerTickets(ctx, dan.UserID, nil, 10); len(page.Rows) != 0 {
			t.Errorf("dan's portal lists %d tickets", len(page.Rows))
		}
		es, _ := db.Emails(ctx, "dan@example.com")
		if len(es) != 1 || es[0].Status != store.EmailSuppressed || es[0].Reason != store.ReasonRemoved {
			t.Errorf("dan's queued mail after removal: %+v", es)
		}
		acts, _ = db.Activities(ctx, got.TicketID)
		if last := acts[len(acts)-1]; last.Kind != "cc" || last.OldValue != "dan@example.com" || last.NewValue != "" {
			t.Errorf("history after removing: %+v", last)
		}
		entries, err := db.AuditLog(ctx, store.AuditQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			if e.TicketID != nil && *e.TicketID == got.TicketID && e.UserID != nil && *e.UserID == dan.UserID {
				actions = append(actions, e.Action)
			}
		}
		if !slices.Contains(actions, store.AuditParticipantAdd) || !slices.Contains(actions, store.AuditParticipantRemove) {
			t.Errorf("audit log actions on dan: %q", actions)
		}

		// Dan writes (verified) to the ticket; the customer copies him in.
		r := reply(got.TicketID, "dan@example.com")
		r.Message.SenderAuth = store.SenderVerified
		deliver(t, db, r)
		r = reply(got.TicketID, "alice@example.com")
		r.Message.SenderAuth = store.SenderVerified
		r.Cc = []store.Person{{Email: "dan@example.com"}, {Email: "erin@example.com"}}
		deliver(t, db, r)
		rs, _ := db.Recipients(ctx, got.TicketID, store.EmailReply)
		if want := []string{"customer alice@example.com:", "cc erin@example.com:"}; !slices.Equal(who(rs), want) {
			t.Errorf("after dan wrote and was copied in, recipients = %q, want %q", who(rs), want)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM cc_suggestions WHERE email = 'dan@example.com'`); n != 0 {
			t.Errorf("a removed person was suggested %d times", n)
		}
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: staff.ID, Text: "not for dan"}); err != nil {
			t.Fatal(err)
		}
		if es, _ := db.Emails(ctx, "dan@example.com"); len(es) != 1 {
			t.Errorf("dan got %d mails, want only the one cancelled", len(es))
		}
		if _, err := db.AddParticipant(ctx, got.TicketID, staff.ID, store.Person{Email: "dan@example.com"}); err != nil {
			t.Fatalf("adding dan again: %v", err)
		}
		rs, _ = db.Recipients(ctx, got.TicketID, store.EmailReply)
		if len(rs) != 3 {
			t.Errorf("after adding dan again, recipients = %q", who(rs))
		}
	})
}
