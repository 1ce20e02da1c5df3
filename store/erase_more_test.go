package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestEraseCatchesRawMailByEnvelopeSender: raw mail that never became a
// message (quarantined) from the person, sent with another spelling of the
// address, goes too.
func TestEraseCatchesRawMailByEnvelopeSender(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		deliver(t, db, newTicket("Hi"))
		raw := []byte("From: Alice <Alice@Example.com>\r\n\r\nspam-looking text\r\n")
		if _, _, err := db.SaveInboundMail(ctx, &store.InboundMail{Key: "q1", Sender: "Alice@Example.COM", Size: int64(len(raw))}, raw); err != nil {
			t.Fatal(err)
		}
		alice, _ := db.UserByEmail(ctx, "alice@example.com")
		if _, err := db.Erase(ctx, alice.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM inbound_mail`); n != 0 {
			t.Errorf("%d raw mails left", n)
		}
	})
}

// TestErasedPeopleAreNotMailed: closing an erased customer's ticket (which
// the retention sweep waits for) sends nothing to the erased address.
func TestErasedPeopleAreNotMailed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		got := deliver(t, db, newTicket("Hi"))
		alice, _ := db.UserByEmail(ctx, "alice@example.com")
		if _, err := db.Erase(ctx, alice.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, Status: "closed"}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'status'`); n != 0 {
			t.Errorf("%d status mails queued to an erased person", n)
		}
	})
}

// TestBlockEndsPendingLinks: blocking an address that has no account ends
// the sign-in links already mailed to it.
func TestBlockEndsPendingLinks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.RequestLogin(ctx, store.LoginRequest{TokenHash: "t", Email: "new@example.com", TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
		if err := db.Block(ctx, "New@Example.com"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConfirmLogin(ctx, store.Login{TokenHash: "t", SessionHash: "s", SessionTTL: time.Hour}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("confirm after block: %v", err)
		}
		if _, err := db.UserByEmail(ctx, "new@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Error("a blocked address got an account")
		}
	})
}

// TestEraseStaffAndFormerStaff: staff are not erased while they hold the
// role; once they are customers again, what they wrote as staff on other
// people's tickets stays (the desk's record), and what they wrote as a
// customer goes.
func TestEraseStaffAndFormerStaff(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		got := deliver(t, db, newTicket("Alice's printer"))
		sam, _ := db.SetRole(ctx, "sam@acme.test", "staff")
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: sam.ID, Text: "Try the blue button."}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Erase(ctx, sam.ID, store.EraseOpts{}); !errors.Is(err, store.ErrInvalidChange) {
			t.Fatalf("erasing staff: %v, want refused", err)
		}
		if _, err := db.SetRole(ctx, "sam@acme.test", "customer"); err != nil {
			t.Fatal(err)
		}
		own := newTicket("Sam's own laptop")
		own.From = store.Person{Email: "sam@acme.test"}
		deliver(t, db, own)
		if _, err := db.Erase(ctx, sam.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE text = 'Try the blue button.'`); n != 1 {
			t.Error("a former staff member's reply on a customer's ticket was erased")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets WHERE subject = 'Sam''s own laptop'`); n != 0 {
			t.Error("the former staff member's own ticket kept its subject")
		}
	})
}
