package store_test

import (
	"context"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestEraseForwardAnswers: erasing a third party removes what they sent
// in answer to a forward, text and files, as it does their own mail.
func TestEraseForwardAnswers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sam, err := db.SetRole(ctx, "sam@support.example", "staff")
		if err != nil {
			t.Fatal(err)
		}
		started, err := db.StartTicket(ctx, store.StaffStart{StaffID: sam.ID, To: store.Person{Email: "ada@example.com"}, Subject: "Fuser", Text: "Broken."})
		if err != nil {
			t.Fatal(err)
		}
		fwd, err := db.Forward(ctx, store.NewForward{TicketID: started.TicketID, MessageID: started.MessageID, ActorID: sam.ID, To: "parts@supplier.test"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.RecordForwardAnswer(ctx, store.ForwardAnswer{TicketNumber: started.TicketNumber, ForwardID: fwd.ID,
			From: store.Person{Email: "parts@supplier.test"}, Text: "Our price list", VisibleText: "Our price list",
			Attachments: []store.NewAttachment{{Filename: "prices.pdf", ContentType: "application/pdf", Data: []byte("secret prices")}}})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM attachments WHERE message_id = ?`, got.MessageID); n != 1 {
			t.Fatalf("%d attachments on the answer", n)
		}
		parts, err := db.UserByEmail(ctx, "parts@supplier.test")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Erase(ctx, parts.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE id = ? AND text = '' AND visible_text = ''`, got.MessageID); n != 1 {
			t.Error("the answer's text outlived its author's erasure")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM attachments WHERE message_id = ?`, got.MessageID); n != 0 {
			t.Errorf("%d of the answer's files outlived its author's erasure", n)
		}
	})
}
