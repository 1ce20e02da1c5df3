package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// findFixture opens a pending ticket for Bob Stone and an open one for
// Alice, a minute apart, and assigns the pending one to sam.
func findFixture(t *testing.T, db *store.DB) (sam int64) {
	t.Helper()
	c := withClock(db)
	sam = addStaff(t, db, "sam@support.example")
	c.Add(time.Minute)
	d := newTicket("Toner smudges")
	d.From = store.Person{Email: "bob.stone@mail.example", Name: "Bob Stone"}
	toner := deliver(t, db, d).TicketID
	exec(t, db, `UPDATE tickets SET status = 'pending', assignee_id = ? WHERE id = ?`, sam, toner)
	c.Add(time.Minute)
	deliver(t, db, newTicket("Paper jam"))
	return sam
}

// TestSearchCoversEveryQueue: a search finds a ticket whatever queue it is
// made from; only the filters narrow it.
func TestSearchCoversEveryQueue(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sam := findFixture(t, db)
		for _, queue := range []string{"", store.QueueOpen, store.QueuePending, store.QueueMine, store.QueueUnassigned, store.QueueAll} {
			p := mustInbox(t, db, store.InboxQuery{Queue: queue, ViewerID: sam, Search: "toner"})
			if got := pageSubjects(p); !slices.Equal(got, []string{"Toner smudges"}) {
				t.Errorf("queue %q: search toner = %v", queue, got)
			}
		}
		p := mustInbox(t, db, store.InboxQuery{Queue: store.QueueOpen, Status: "open", Search: "toner"})
		if got := pageSubjects(p); len(got) != 0 {
			t.Errorf("status open narrows the search, yet it found %v", got)
		}
		p = mustInbox(t, db, store.InboxQuery{Queue: store.QueuePending, Search: "jam"})
		if got := pageSubjects(p); !slices.Equal(got, []string{"Paper jam"}) {
			t.Errorf("open ticket from the pending queue: %v", got)
		}
		// Without a search the queue still lists only its own tickets.
		if got := pageSubjects(mustInbox(t, db, store.InboxQuery{Queue: store.QueueOpen})); !slices.Equal(got, []string{"Paper jam"}) {
			t.Errorf("open queue = %v", got)
		}
	})
}

// TestSearchFindsTheCustomer: a search matches the customer's name and
// address, words at the start of a word, the last one as a prefix.
func TestSearchFindsTheCustomer(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		findFixture(t, db)
		tests := []struct {
			search string
			want   []string
		}{
			{"Stone", []string{"Toner smudges"}},
			{"bob sto", []string{"Toner smudges"}},
			{"BOB STONE", []string{"Toner smudges"}},
			{"bob.stone@mail.example", []string{"Toner smudges"}},
			{"bob.stone@mail", []string{"Toner smudges"}},
			{"mail", []string{"Toner smudges"}},
			{"alice@example.com", []string{"Paper jam"}},
			{"alice", []string{"Paper jam"}},
			{"example", []string{"Paper jam", "Toner smudges"}}, // a part of each domain
			{"example.com", []string{"Paper jam"}},              // a domain
			{"one", []string{}},                                 // inside a word, not at its start
			{"bo", []string{}},                                  // a short word is whole
			{"stone alice", []string{}},                         // every word, one customer
		}
		if db.Dialect == store.SQLite { // LIKE's wildcards are text
			tests = append(tests, []struct {
				search string
				want   []string
			}{{"b_b", []string{}}, {"b%", []string{}}, {`b\`, []string{}}}...)
		}
		for _, tt := range tests {
			p := mustInbox(t, db, store.InboxQuery{Queue: store.QueueOpen, Search: tt.search})
			if got := pageSubjects(p); !slices.Equal(got, tt.want) {
				t.Errorf("search %q = %v, want %v", tt.search, got, tt.want)
			}
		}
	})
}

// TestQueueCounts: one call counts every queue as Inbox lists it.
func TestQueueCounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sam, kim := inboxFixture(t, db)
		ctx := context.Background()
		for _, viewer := range []int64{sam, kim} {
			counts, err := db.QueueCounts(ctx, viewer)
			if err != nil {
				t.Fatal(err)
			}
			for _, queue := range []string{store.QueueOpen, store.QueuePending, store.QueueMine, store.QueueUnassigned} {
				n, ok := counts.Of(queue)
				listed := len(mustInbox(t, db, store.InboxQuery{Queue: queue, ViewerID: viewer}).Rows)
				if !ok || n != listed {
					t.Errorf("viewer %d, queue %s: count %d (%v), inbox lists %d", viewer, queue, n, ok, listed)
				}
			}
			if _, ok := counts.Of(store.QueueAll); ok {
				t.Error("the all queue is counted")
			}
		}
		counts, err := db.QueueCounts(ctx, sam)
		if err != nil {
			t.Fatal(err)
		}
		if want := (store.QueueCounts{Open: 2, Pending: 2, Mine: 2, Unassigned: 2}); counts != want {
			t.Errorf("counts for sam = %+v, want %+v", counts, want)
		}
	})
}

// TestSearchPagesAlike: small pages of a search list the same tickets in the
// same order whether the newest tickets are walked (a word in most of them,
// on PostgreSQL) or the index is searched (a rarer word, the last pages).
func TestSearchPagesAlike(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		c := withClock(db)
		var common, rare, pending []string // newest first
		for i := range 40 {
			c.Add(time.Minute)
			subject := fmt.Sprintf("Ticket %02d", i)
			got := deliver(t, db, newTicket(subject))
			r := reply(got.TicketID, "alice@example.com")
			r.Message.VisibleText = "still broken"
			if i%4 != 0 {
				r.Message.VisibleText += ", the gadget again"
				common = append([]string{subject}, common...)
				if i%3 == 0 {
					exec(t, db, `UPDATE tickets SET status = 'pending' WHERE id = ?`, got.TicketID)
					pending = append([]string{subject}, pending...)
				}
			}
			if i%13 == 0 {
				r.Message.VisibleText += ", seldom seen"
				rare = append([]string{subject}, rare...)
			}
			deliver(t, db, r)
		}
		for _, tc := range []struct {
			q    store.InboxQuery
			want []string
		}{
			{store.InboxQuery{Search: "gadget"}, common},
			{store.InboxQuery{Search: "seldom"}, rare},
			{store.InboxQuery{Search: "gadget", Status: "pending"}, pending},
		} {
			var got []string
			q := tc.q
			q.Limit = 2
			for {
				p := mustInbox(t, db, q)
				got = append(got, pageSubjects(p)...)
				if p.Next == nil {
					break
				}
				q.After = p.Next
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%+v pages through %v, want %v", tc.q, got, tc.want)
			}
		}
	})
}
