package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestEraseLeavesNoTrace: export → erase → export shows nothing personal,
// and raw SQL over every text column of every table, and every blob, finds
// no trace of the address, the name or their words.
func TestEraseLeavesNoTrace(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		raw := []byte("From: Zelda Quixote <zelda.quixote@example.org>\r\nSubject: Wobbling flux capacitor\r\n\r\nMy flux capacitor wobbles.\r\n")
		saved, _, err := db.SaveInboundMail(ctx, &store.InboundMail{Key: "k-zelda", Sender: "zelda.quixote@example.org", Recipients: "support@acme.test", Size: int64(len(raw))}, raw)
		if err != nil {
			t.Fatal(err)
		}
		d := &store.Incoming{InboundMailID: saved.ID, From: store.Person{Email: "zelda.quixote@example.org", Name: "Zelda Quixote"},
			Subject: "Wobbling flux capacitor", Confirm: true,
			Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: newMessageID(), Subject: "Wobbling flux capacitor",
				Text: "My flux capacitor wobbles.", VisibleText: "My flux capacitor wobbles.", HTML: "<p>My flux capacitor wobbles.</p>"},
			Attachments: []store.NewAttachment{{Filename: "capacitor-photo.jpg", ContentType: "image/jpeg", Data: []byte("JPEG zelda secret bytes")}}}
		got := deliver(t, db, d)
		agent, _ := db.SetRole(ctx, "agent@acme.test", "staff")
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: agent.ID,
			// The whole name and the address are replaced; a single word of
			// the name alone ("Hello Zelda") would stay, by design (see
			// TestEraseScrubsTheRealNameAndAddress).
			Text: "Hello Zelda Quixote, we will replace the part for zelda.quixote@example.org. Regards, the team"}); err != nil {
			t.Fatal(err)
		}
		// She signs in once, and keeps a second ticket.
		if err := db.RequestLogin(ctx, store.LoginRequest{TokenHash: "zt", Email: "zelda.quixote@example.org", IP: "203.0.113.77", UserAgent: "ZeldaBrowser", TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConfirmLogin(ctx, store.Login{TokenHash: "zt", SessionHash: "zs", IP: "203.0.113.77", UserAgent: "ZeldaBrowser", SessionTTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
		second := newTicket("Second wobble")
		second.From = store.Person{Email: "zelda.quixote@example.org", Name: "Zelda Quixote"}
		deliver(t, db, second)
		// Someone else's ticket stays as it is.
		other := deliver(t, db, newTicket("Alice's own problem"))

		before, err := db.Export(ctx, "zelda.quixote@example.org", func(int64) string { return "r@x" })
		if err != nil || len(before.Tickets) != 2 || len(before.Logins) != 1 {
			t.Fatalf("export before: %+v, %v", before, err)
		}
		u, _ := db.UserByEmail(ctx, "zelda.quixote@example.org")
		res, err := db.Erase(ctx, u.ID, store.EraseOpts{ActorID: agent.ID, Block: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Tickets != 2 || res.Messages != 2 || res.Attachments != 1 || res.RawMails != 1 {
			t.Errorf("erased %+v", res)
		}
		if _, err := db.Export(ctx, "zelda.quixote@example.org", func(int64) string { return "" }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("export after erase: %v, want not found", err)
		}
		after, err := db.UserByID(ctx, u.ID)
		if err != nil || after.ErasedAt == nil || after.Name != "" || strings.Contains(after.Email, "zelda") {
			t.Errorf("user after erase: %+v", after)
		}
		for _, trace := range []string{"zelda", "Zelda", "quixote", "Quixote", "capacitor", "wobbl", "Wobbl", "203.0.113.77", "ZeldaBrowser"} {
			if where := findAnywhere(t, db, trace); where != "" {
				t.Errorf("%q still in %s", trace, where)
			}
		}
		if tk, _ := db.Ticket(ctx, other.TicketID); tk.Subject != "Alice's own problem" {
			t.Errorf("someone else's ticket changed: %q", tk.Subject)
		}
		if blocked, _ := db.IsBlocked(ctx, "Zelda.Quixote@example.org"); !blocked {
			t.Error("address not on the do-not-recreate list")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'erase' AND user_id = ?`, u.ID); n != 1 {
			t.Errorf("erase audit entries = %d", n)
		}
		// Idempotent.
		again, err := db.Erase(ctx, u.ID, store.EraseOpts{})
		if err != nil || !again.Already {
			t.Errorf("second erase: %+v, %v", again, err)
		}
	})
}

// findAnywhere searches every column of every table, blobs' bytes
// included, for s; it returns where it found it, or "".
func findAnywhere(t *testing.T, db *store.DB, s string) string {
	t.Helper()
	return testdb.FindAnywhere(t, db, s, testdb.NotSearchIndex)
}
