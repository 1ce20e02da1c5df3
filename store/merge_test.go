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

// mergePair opens ticket a (alice, two messages, one with a file) and
// ticket b (bob, one message) with interleaved times.
func mergePair(t *testing.T, db *store.DB, clock *time.Time) (a, b *store.Recorded) {
	t.Helper()
	step := func() { *clock = clock.Add(time.Minute) }
	step()
	d := newTicket("Printer broken")
	d.Attachments = []store.NewAttachment{{Filename: "photo.png", ContentType: "image/png", Data: []byte("png")}}
	a = deliver(t, db, d)
	step()
	bd := newTicket("Printer still broken")
	bd.From = store.Person{Email: "bob@example.com", Name: "Bob"}
	b = deliver(t, db, bd)
	step()
	deliver(t, db, reply(a.TicketID, "alice@example.com"))
	step()
	return a, b
}

func TestMergeMovesEverythingInTimeOrder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		a, b := mergePair(t, db, &clock)
		staff, err := db.EnsureUser(ctx, "agent@example.com", "Agent", "staff")
		if err != nil {
			t.Fatal(err)
		}
		merges, err := db.MergeTickets(ctx, []int64{a.TicketNumber}, b.TicketNumber, staff.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(merges) != 1 || merges[0].Messages != 2 || merges[0].Participants != 1 {
			t.Fatalf("merges = %+v, want one moving 2 messages and 1 participant", merges)
		}
		msgs, err := db.Messages(ctx, b.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		var order []int64
		for _, m := range msgs {
			order = append(order, m.ID)
		}
		if want := []int64{a.MessageID, b.MessageID, a.MessageID + 2}; len(order) != 3 || order[0] != want[0] || order[1] != want[1] {
			t.Errorf("survivor's messages = %v, want a's first, then b's, then a's reply (%v)", order, want)
		}
		files, err := db.Attachments(ctx, a.MessageID)
		if err != nil || len(files) != 1 {
			t.Fatalf("attachments of a's first message = %v, %v", files, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, a.TicketID); n != 0 {
			t.Errorf("merged ticket keeps %d messages", n)
		}
		for _, who := range []string{"alice@example.com", "bob@example.com"} {
			if ok, err := db.IsParticipant(ctx, b.TicketID, who); err != nil || !ok {
				t.Errorf("%s on survivor = %v, %v", who, ok, err)
			}
		}
		merged, err := db.Ticket(ctx, a.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if merged.Status != "closed" || merged.MergedInto == nil || *merged.MergedInto != b.TicketID || merged.MergedBy == nil || *merged.MergedBy != staff.ID {
			t.Errorf("merged ticket = %+v", merged)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND ticket_id = ? AND actor_id = ?`, store.AuditTicketMerge, a.TicketID, staff.ID); n != 1 {
			t.Errorf("merge audit entries = %d, want 1", n)
		}
		if n := count(t, db, `SELECT messages FROM ticket_rows WHERE ticket_id = ?`, b.TicketID); n != 3 {
			t.Errorf("survivor's inbox row counts %d messages, want 3", n)
		}
	})
}

func TestMergeRefusals(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := deliver(t, db, newTicket("one"))
		b := deliver(t, db, newTicket("two"))
		c := deliver(t, db, newTicket("three"))
		p := newTicket("delete my data")
		p.Category = store.PrivacyCategory
		priv := deliver(t, db, p)
		p2 := newTicket("and my other data")
		p2.Category = store.PrivacyCategory
		priv2 := deliver(t, db, p2)
		if _, err := db.MergeTickets(ctx, []int64{a.TicketNumber}, b.TicketNumber, 0); err != nil {
			t.Fatal(err)
		}
		refused := []struct {
			name string
			from []int64
			into int64
		}{
			{"itself", []int64{c.TicketNumber}, c.TicketNumber},
			{"into a merged ticket", []int64{c.TicketNumber}, a.TicketNumber},
			{"a merged ticket again", []int64{a.TicketNumber}, c.TicketNumber},
			{"privacy into general", []int64{priv.TicketNumber}, c.TicketNumber},
			{"general into privacy", []int64{c.TicketNumber}, priv.TicketNumber},
		}
		for _, r := range refused {
			_, err := db.MergeTickets(ctx, r.from, r.into, 0)
			var mr *store.MergeRefused
			if !errors.As(err, &mr) || mr.Reason == "" {
				t.Errorf("%s: err = %v, want MergeRefused", r.name, err)
			}
		}
		if _, err := db.MergeTickets(ctx, []int64{priv.TicketNumber}, priv2.TicketNumber, 0); err != nil {
			t.Errorf("privacy into privacy: %v", err)
		}
		_, err := db.MergeTickets(ctx, []int64{99999}, c.TicketNumber, 0)
		wantNotFound(t, "unknown ticket", err)
	})
}

func TestMergeSurvivorFollowsChains(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := deliver(t, db, newTicket("a"))
		b := deliver(t, db, newTicket("b"))
		c := deliver(t, db, newTicket("c"))
		if _, err := db.MergeTickets(ctx, []int64{a.TicketNumber}, b.TicketNumber, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MergeTickets(ctx, []int64{b.TicketNumber}, c.TicketNumber, 0); err != nil {
			t.Fatal(err)
		}
		for _, d := range []*store.Recorded{a, b, c} {
			tk, err := db.Ticket(ctx, d.TicketID)
			if err != nil {
				t.Fatal(err)
			}
			s, err := db.Survivor(ctx, tk)
			if err != nil || s.ID != c.TicketID {
				t.Errorf("survivor of #%d = %v, %v; want #%d", d.TicketNumber, s, err, c.TicketNumber)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, c.TicketID); n != 3 {
			t.Errorf("end of chain has %d messages, want 3", n)
		}
	})
}

func TestMergeUndo(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		a, b := mergePair(t, db, &clock)
		exec(t, db, `UPDATE tickets SET status = 'pending' WHERE id = ?`, a.TicketID)
		merges, err := db.MergeTickets(ctx, []int64{a.TicketNumber}, b.TicketNumber, 0)
		if err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(time.Minute)
		later := deliver(t, db, reply(b.TicketID, "bob@example.com")) // arrives on the survivor after the merge
		clock = clock.Add(5 * time.Minute)
		if _, err := db.UndoMerges(ctx, []int64{merges[0].ID}, 0); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, a.TicketID); n != 2 {
			t.Errorf("a has %d messages back, want 2", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ? AND id IN (?, ?)`, b.TicketID, b.MessageID, later.MessageID); n != 2 {
			t.Errorf("b keeps %d of its own messages, want 2", n)
		}
		if ok, _ := db.IsParticipant(ctx, b.TicketID, "alice@example.com"); ok {
			t.Error("alice still takes part in b after the undo")
		}
		tk, err := db.Ticket(ctx, a.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Status != "pending" || tk.MergedInto != nil {
			t.Errorf("a after undo = status %s, merged_into %v", tk.Status, tk.MergedInto)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND ticket_id = ?`, store.AuditMergeUndo, a.TicketID); n != 1 {
			t.Errorf("undo audit entries = %d", n)
		}
		var mr *store.MergeRefused
		if _, err := db.UndoMerges(ctx, []int64{merges[0].ID}, 0); !errors.As(err, &mr) {
			t.Errorf("second undo: %v, want MergeRefused", err)
		}
		// A new merge cannot be undone once the window has passed.
		merges, err = db.MergeTickets(ctx, []int64{a.TicketNumber}, b.TicketNumber, 0)
		if err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(store.MergeWindow)
		if _, err := db.UndoMerges(ctx, []int64{merges[0].ID}, 0); !errors.As(err, &mr) {
			t.Errorf("undo after the window: %v, want MergeRefused", err)
		}
	})
}

// TestMergeConcurrentOpposite: A into B and B into A at the same instant
// lock the same rows; one wins, the other is refused, nothing is lost and
// nothing deadlocks.
func TestMergeConcurrentOpposite(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for round := range 10 {
			a := deliver(t, db, newTicket("a"))
			b := deliver(t, db, newTicket("b"))
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, pair := range [][2]int64{{a.TicketNumber, b.TicketNumber}, {b.TicketNumber, a.TicketNumber}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = db.MergeTickets(ctx, []int64{pair[0]}, pair[1], 0)
				}()
			}
			wg.Wait()
			won, refused := 0, 0
			for _, err := range errs {
				var mr *store.MergeRefused
				switch {
				case err == nil:
					won++
				case errors.As(err, &mr):
					refused++
				default:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if won != 1 || refused != 1 {
				t.Fatalf("round %d: %d won, %d refused; want 1 and 1", round, won, refused)
			}
			n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id IN (?, ?)`, a.TicketID, b.TicketID)
			merged := count(t, db, `SELECT COUNT(*) FROM tickets WHERE id IN (?, ?) AND merged_into IS NOT NULL`, a.TicketID, b.TicketID)
			if n != 2 || merged != 1 {
				t.Fatalf("round %d: %d messages, %d merged tickets; want 2 and 1", round, n, merged)
			}
		}
	})
}

// pendingKinds is the kinds of the outbox rows the relay would take now.
func pendingKinds(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	rows, err := db.OutboxDue(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Kind]++
	}
	return out
}

// TestMergeNoticeOnceAfterTheWindow: merging two of alice's tickets into
// bob's queues one notice to alice, naming the survivor, held until the
// undo window has passed; an undo deletes it.
func TestMergeNoticeOnceAfterTheWindow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		a1 := deliver(t, db, newTicket("first"))
		a2 := deliver(t, db, newTicket("second"))
		bd := newTicket("bob's")
		bd.From = store.Person{Email: "bob@example.com"}
		b := deliver(t, db, bd)
		merges, err := db.MergeTickets(ctx, []int64{a1.TicketNumber, a2.TicketNumber}, b.TicketNumber, 0)
		if err != nil {
			t.Fatal(err)
		}
		q := `SELECT COUNT(*) FROM emails WHERE kind = 'merged' AND to_email = ? AND ticket_id = ?`
		if n := count(t, db, q, "alice@example.com", b.TicketID); n != 1 {
			t.Fatalf("notices to alice = %d, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'merged'`); n != 1 {
			t.Errorf("notices = %d, want 1 (bob's ticket survived: nothing to tell him)", n)
		}
		if k := pendingKinds(t, db); k[store.EmailMerged] != 0 {
			t.Errorf("the notice is due inside the undo window: %v", k)
		}
		clock = clock.Add(store.MergeWindow)
		if k := pendingKinds(t, db); k[store.EmailMerged] != 1 {
			t.Errorf("the notice is not due after the undo window: %v", k)
		}

		// An undo inside the window takes the notice back with the merge.
		clock = clock.Add(time.Minute)
		c := deliver(t, db, newTicket("third"))
		merges, err = db.MergeTickets(ctx, []int64{c.TicketNumber}, b.TicketNumber, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE merge_id = ?`, merges[0].ID); n != 1 {
			t.Fatalf("notices of the second merge = %d, want 1", n)
		}
		clock = clock.Add(time.Minute)
		if _, err := db.UndoMerges(ctx, []int64{merges[0].ID}, 0); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE merge_id = ?`, merges[0].ID); n != 0 {
			t.Errorf("notices left after the undo = %d", n)
		}
		clock = clock.Add(store.MergeWindow)
		if k := pendingKinds(t, db); k[store.EmailMerged] != 1 {
			t.Errorf("due notices after the undo = %v, want only the first merge's", k)
		}
	})
}

// TestDeliverToMergedTicketLandsOnSurvivor: a delivery naming a merged
// ticket (a portal reply from a page opened before the merge, or a mail
// routed just before it) appends to the survivor.
func TestDeliverToMergedTicketLandsOnSurvivor(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := deliver(t, db, newTicket("a"))
		b := deliver(t, db, newTicket("b"))
		if _, err := db.MergeTickets(ctx, []int64{a.TicketNumber}, b.TicketNumber, 0); err != nil {
			t.Fatal(err)
		}
		got := deliver(t, db, reply(a.TicketID, "alice@example.com"))
		if got.TicketID != b.TicketID || got.TicketNumber != b.TicketNumber {
			t.Errorf("delivered to #%d, want the survivor #%d", got.TicketNumber, b.TicketNumber)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, a.TicketID); n != 0 {
			t.Errorf("the merged ticket got %d messages", n)
		}
	})
}

// TestStaffReplyToMergedTicketLandsOnSurvivor: a reply written on the
// merged ticket's page, opened before the merge, goes to the survivor.
func TestStaffReplyToMergedTicketLandsOnSurvivor(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		staff, err := db.EnsureUser(ctx, "agent@example.com", "Agent", "staff")
		if err != nil {
			t.Fatal(err)
		}
		a := deliver(t, db, newTicket("a"))
		b := deliver(t, db, newTicket("b"))
		if _, err := db.MergeTickets(ctx, []int64{a.TicketNumber}, b.TicketNumber, staff.ID); err != nil {
			t.Fatal(err)
		}
		id, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: a.TicketID, AuthorID: staff.ID, Text: "On it"})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE id = ? AND ticket_id = ?`, id, b.TicketID); n != 1 {
			t.Error("the reply is not on the survivor")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'reply' AND ticket_id = ?`, b.TicketID); n != 1 {
			t.Errorf("reply mails on the survivor = %d, want 1", n)
		}
	})
}
