package store_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// pageSubjects lists a page's tickets by subject, in page order.
func pageSubjects(p *store.InboxPage) []string {
	out := []string{}
	for _, r := range p.Rows {
		out = append(out, r.Subject)
	}
	return out
}

func mustInbox(t *testing.T, db *store.DB, q store.InboxQuery) *store.InboxPage {
	t.Helper()
	p, err := db.Inbox(context.Background(), q)
	if err != nil {
		t.Fatalf("Inbox(%+v): %v", q, err)
	}
	return p
}

func addStaff(t *testing.T, db *store.DB, email string) int64 {
	t.Helper()
	u, err := db.EnsureUser(context.Background(), email, "", "staff")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// inboxFixture opens seven tickets a minute apart, so the newest is listed
// first, and gives each a status, assignee, priority and category.
func inboxFixture(t *testing.T, db *store.DB) (sam, kim int64) {
	t.Helper()
	c := withClock(db)
	sam, kim = addStaff(t, db, "sam@support.example"), addStaff(t, db, "kim@support.example")
	tickets := []struct {
		subject, status, priority, category string
		assignee                            *int64
	}{
		{"t1", "open", "normal", "general", nil},
		{"t2", "open", "high", "billing", &sam},
		{"t3", "pending", "high", "general", nil},
		{"t4", "pending", "urgent", "billing", &kim},
		{"t5", "resolved", "low", "general", nil},
		{"t6", "closed", "high", "general", &sam},
		{"t7", "resolved", "normal", "billing", &sam},
	}
	for _, tk := range tickets {
		c.Add(time.Minute)
		got := deliver(t, db, newTicket(tk.subject))
		exec(t, db, `UPDATE tickets SET status = ?, priority = ?, category = ?, assignee_id = ? WHERE id = ?`,
			tk.status, tk.priority, tk.category, tk.assignee, got.TicketID)
	}
	return sam, kim
}

func TestInboxQueuesAndFilters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sam, kim := inboxFixture(t, db)
		tests := []struct {
			name string
			q    store.InboxQuery
			want []string
		}{
			{"default is open", store.InboxQuery{}, []string{"t2", "t1"}},
			{"open", store.InboxQuery{Queue: store.QueueOpen}, []string{"t2", "t1"}},
			{"pending", store.InboxQuery{Queue: store.QueuePending}, []string{"t4", "t3"}},
			{"mine leaves out closed", store.InboxQuery{Queue: store.QueueMine, ViewerID: sam}, []string{"t7", "t2"}},
			{"mine of another", store.InboxQuery{Queue: store.QueueMine, ViewerID: kim}, []string{"t4"}},
			{"unassigned leaves out resolved", store.InboxQuery{Queue: store.QueueUnassigned}, []string{"t3", "t1"}},
			{"all", store.InboxQuery{Queue: store.QueueAll}, []string{"t7", "t6", "t5", "t4", "t3", "t2", "t1"}},

			{"status", store.InboxQuery{Queue: store.QueueAll, Status: "resolved"}, []string{"t7", "t5"}},
			{"priority", store.InboxQuery{Queue: store.QueueAll, Priority: "high"}, []string{"t6", "t3", "t2"}},
			{"category", store.InboxQuery{Queue: store.QueueAll, Category: "billing"}, []string{"t7", "t4", "t2"}},
			{"assignee", store.InboxQuery{Queue: store.QueueAll, AssigneeID: &sam}, []string{"t7", "t6", "t2"}},

			{"open and high", store.InboxQuery{Priority: "high"}, []string{"t2"}},
			{"pending and billing", store.InboxQuery{Queue: store.QueuePending, Category: "billing"}, []string{"t4"}},
			{"high and billing", store.InboxQuery{Queue: store.QueueAll, Priority: "high", Category: "billing"}, []string{"t2"}},
			{"assignee and status", store.InboxQuery{Queue: store.QueueAll, AssigneeID: &sam, Status: "closed"}, []string{"t6"}},
			{"mine and priority", store.InboxQuery{Queue: store.QueueMine, ViewerID: sam, Priority: "normal"}, []string{"t7"}},
			{"unassigned and high", store.InboxQuery{Queue: store.QueueUnassigned, Priority: "high"}, []string{"t3"}},
			{"open queue and closed status", store.InboxQuery{Status: "closed"}, []string{}},
			{"unassigned and an assignee", store.InboxQuery{Queue: store.QueueUnassigned, AssigneeID: &sam}, []string{}},
			{"unknown category", store.InboxQuery{Queue: store.QueueAll, Category: "nope"}, []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := mustInbox(t, db, tt.q)
				if got := pageSubjects(p); !slices.Equal(got, tt.want) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
				if p.Next != nil {
					t.Errorf("Next = %v on the only page", p.Next)
				}
			})
		}
	})
}

func TestInboxRejectsUnknownValues(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		tests := []struct {
			name string
			q    store.InboxQuery
		}{
			{"queue", store.InboxQuery{Queue: "trash"}},
			{"status", store.InboxQuery{Status: "deleted"}},
			{"priority", store.InboxQuery{Priority: "meh"}},
			{"status in another case", store.InboxQuery{Status: "Open"}},
			{"mine without a viewer", store.InboxQuery{Queue: store.QueueMine}},
			{"negative limit", store.InboxQuery{Limit: -1}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := db.Inbox(context.Background(), tt.q); !errors.Is(err, store.ErrInvalidQuery) {
					t.Errorf("err = %v, want ErrInvalidQuery", err)
				}
			})
		}
	})
}

func TestInboxRows(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := withClock(db)
		sam := addStaff(t, db, "sam@support.example")
		d := newTicket("Printer")
		d.From.Name = "Alice Liddell"
		tk := deliver(t, db, d)
		deliver(t, db, reply(tk.TicketID, "alice@example.com"))
		for _, note := range []bool{false, true, true} {
			if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: tk.TicketID, AuthorID: sam, Text: "ok", Note: note}); err != nil {
				t.Fatal(err)
			}
		}
		c.Add(time.Minute)
		deliver(t, db, newTicket("Unassigned"))

		rows := mustInbox(t, db, store.InboxQuery{Queue: store.QueueAll}).Rows
		if len(rows) != 2 {
			t.Fatalf("rows = %d, want 2", len(rows))
		}
		if r := rows[1]; r.ID != tk.TicketID || r.Number != tk.TicketNumber || r.Subject != "Printer" || r.Status != "open" ||
			r.CustomerEmail != "alice@example.com" || r.CustomerName != "Alice Liddell" || r.AssigneeEmail != nil || r.Messages != 3 {
			t.Errorf("row = %+v, want ticket %d by Alice, unassigned, 3 messages besides notes", r, tk.TicketID)
		}
		exec(t, db, `UPDATE tickets SET assignee_id = ? WHERE id = ?`, sam, tk.TicketID)
		r := mustInbox(t, db, store.InboxQuery{Queue: store.QueueMine, ViewerID: sam}).Rows
		if len(r) != 1 || r[0].AssigneeEmail == nil || *r[0].AssigneeEmail != "sam@support.example" || r[0].AssigneeID == nil || *r[0].AssigneeID != sam {
			t.Errorf("mine = %+v, want the printer ticket assigned to sam", r)
		}
	})
}

// searchFixture opens tickets whose words sit in different places: the
// subject, a later message's body, an internal note.
func searchFixture(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	c := withClock(db)
	sam := addStaff(t, db, "sam@support.example")
	open := func(subject, body string) int64 {
		c.Add(time.Minute)
		d := newTicket(subject)
		d.Message.Text, d.Message.VisibleText = body+"\n> quoted zebra", body
		return deliver(t, db, d).TicketID
	}
	open("Printer on fire", "Smoke everywhere")
	refund := open("Refund please", "Hello")
	c.Add(time.Minute)
	r := reply(refund, "alice@example.com")
	r.Message.Subject, r.Message.VisibleText = "Re: Refund please", "I was charged twice for invoice 4471"
	deliver(t, db, r)
	vip := open("Question", "How do I export?")
	if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: vip, AuthorID: sam, Text: "VIP customer, escalate quietly", Note: true}); err != nil {
		t.Fatal(err)
	}
	open("Trip", "Ich wohne in München")
	open("Ünïcödé subject", "Plain body")
	open("Faktura", "Zahlung für Rechnung 4471 fehlt")
}

func TestInboxSearch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		searchFixture(t, db)
		type searchCase struct {
			name, search, queue string
			want                []string
		}
		tests := []searchCase{
			{"word in a subject", "printer", "", []string{"Printer on fire"}},
			{"any case, every word", "FIRE Printer", "", []string{"Printer on fire"}},
			{"word only in a later message", "charged", "", []string{"Refund please"}},
			{"word only in a note", "escalate", "", []string{"Question"}},
			{"words from a message's subject and body", "refund invoice", "", []string{"Refund please"}},
			{"words must meet in one message or subject", "printer charged", "", []string{}},
			{"word in two tickets", "4471", "", []string{"Faktura", "Refund please"}},
			{"last word is a prefix", "refu", "", []string{"Refund please"}},
			{"short last word is whole", "tw", "", []string{}},
			{"earlier words are whole", "prin fire", "", []string{}},
			{"quoted text is not searched", "zebra", "", []string{}},
			{"no match", "kangaroo", "", []string{}},
			{"a queue does not narrow a search", "printer", store.QueuePending, []string{"Printer on fire"}},
			{"accented word", "münchen", "", []string{"Trip"}},
			{"upper-case accents", "ÜNÏCÖDÉ", "", []string{"Ünïcödé subject"}},
			{"only punctuation", "!!! ???", "", []string{}},
		}
		if db.Dialect == store.SQLite {
			tests = append(tests,
				searchCase{"accents folded", "munchen", "", []string{"Trip"}},
				searchCase{"quotes are dropped", `"fire on"`, "", []string{"Printer on fire"}})
		} else {
			tests = append(tests,
				searchCase{"accents kept", "munchen", "", []string{}}, // 'simple' does not fold them
				searchCase{"web search or", `"on fire" or refund`, "", []string{"Refund please", "Printer on fire"}},
				searchCase{"web search phrase", `"fire on"`, "", []string{}})
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p := mustInbox(t, db, store.InboxQuery{Queue: cmp.Or(tt.queue, store.QueueAll), Search: tt.search})
				if got := pageSubjects(p); !slices.Equal(got, tt.want) {
					t.Errorf("search %q = %v, want %v", tt.search, got, tt.want)
				}
			})
		}
	})
}

func TestInboxSearchSurvivesHostileQueries(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		searchFixture(t, db)
		queries := []string{
			`"`, `""`, `"printer`, `*`, `printer*`, `AND OR NOT`, `NOT`, `OR`, `-`, `--`, `-printer`,
			`'; DROP TABLE tickets; --`, `'`, `\`, `\'`, `(((`, `printer)`, `NEAR(printer fire)`,
			`subject:printer`, `^printer`, `printer:*`, `a & b | !c`, `<->`, `{}`, `🔥`, `🔥 printer`,
			"\x00", "printer\x00", "\xff\xfe", `%`, `_`, `?`, `$1`, "tab\tprinter\nnewline",
			`x\`, `x'`, `x''y`, `'printer'`, `x:*:*`, strings.Repeat("ab ", 3000), `"` + strings.Repeat("ab ", 3000) + `"`,
			strings.Repeat("a", 5000), strings.Repeat("-", 5000),
		}
		for _, q := range queries {
			if _, err := db.Inbox(context.Background(), store.InboxQuery{Queue: store.QueueAll, Search: q}); err != nil {
				t.Errorf("search %q: %v", q, err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets`); n != 6 {
			t.Errorf("tickets = %d after the searches, want 6", n)
		}
		// Syntax is taken as words: the printer ticket is still found.
		for _, q := range []string{`printer*`, `"printer`, `printer)`, `🔥 printer`, `printer:*`, `'printer'`, "printer\x00"} {
			p := mustInbox(t, db, store.InboxQuery{Queue: store.QueueAll, Search: q})
			if got := pageSubjects(p); !slices.Equal(got, []string{"Printer on fire"}) {
				t.Errorf("search %q = %v, want the printer ticket", q, got)
			}
		}
	})
}

func TestSearchFollowsEdits(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		keep := deliver(t, db, newTicket("Keyboard sticky")).TicketID
		gone := deliver(t, db, newTicket("Monitor flickers"))
		exec(t, db, `UPDATE tickets SET subject = 'Mouse sticky' WHERE id = ?`, keep)
		exec(t, db, `UPDATE messages SET subject = 'Re: mouse', visible_text = 'now about trackpads' WHERE ticket_id = ?`, keep)
		exec(t, db, `UPDATE tickets SET last_activity_at = ? WHERE id = ?`, time.Now().UTC(), keep)
		exec(t, db, `DELETE FROM tickets WHERE id = ?`, gone.TicketID) // messages go by cascade
		find := func(search string) []string {
			return pageSubjects(mustInbox(t, db, store.InboxQuery{Queue: store.QueueAll, Search: search}))
		}
		for search, want := range map[string][]string{
			"keyboard": {}, "mouse": {"Mouse sticky"}, "trackpads": {"Mouse sticky"}, "hello": {}, "monitor": {},
		} {
			if got := find(search); !slices.Equal(got, want) {
				t.Errorf("search %q = %v, want %v", search, got, want)
			}
		}
		if db.Dialect == store.SQLite {
			for _, table := range []string{"tickets_fts", "messages_fts"} {
				q := fmt.Sprintf(`INSERT INTO %[1]s (%[1]s, rank) VALUES ('integrity-check', 1)`, table)
				if _, err := db.X.ExecContext(ctx, q); err != nil {
					t.Errorf("%s out of step with its table: %v", table, err)
				}
			}
		}
	})
}

// The migration indexes rows written before it ran.
func TestSearchMigrationIndexesExistingRows(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t, store.SQLite)
	deliver(t, db, newTicket("Old scanner"))
	for _, table := range []string{"tickets", "messages"} {
		for _, event := range []string{"insert", "update", "delete"} {
			exec(t, db, `DROP TRIGGER `+table+`_fts_`+event)
		}
		exec(t, db, `DROP TABLE `+table+`_fts`)
	}
	exec(t, db, `DELETE FROM schema_migrations WHERE version = 6`)
	if n, err := db.Migrate(ctx); err != nil || n != 1 {
		t.Fatalf("Migrate = %d, %v; want 1 applied", n, err)
	}
	for _, search := range []string{"scanner", "hello"} {
		if got := pageSubjects(mustInbox(t, db, store.InboxQuery{Queue: store.QueueAll, Search: search})); !slices.Equal(got, []string{"Old scanner"}) {
			t.Errorf("search %q = %v after migrating", search, got)
		}
	}
}

func TestInboxPagesWithTies(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		// Twelve tickets in groups of three sharing a time; the times step
		// by half a second, so whole and fractional seconds alternate.
		base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		type key struct {
			at time.Time
			id int64
		}
		var all []key
		for i := range 12 {
			id := deliver(t, db, newTicket(fmt.Sprintf("p%02d", i))).TicketID
			at := base.Add(time.Duration(i%4) * 500 * time.Millisecond)
			exec(t, db, `UPDATE tickets SET last_activity_at = ? WHERE id = ?`, at, id)
			all = append(all, key{at, id})
		}
		slices.SortFunc(all, func(a, b key) int {
			if c := b.at.Compare(a.at); c != 0 {
				return c
			}
			return int(b.id - a.id)
		})
		var got []int64
		var sizes []int
		var after *store.Cursor
		for page := 1; ; page++ {
			p := mustInbox(t, db, store.InboxQuery{Queue: store.QueueAll, Limit: 5, After: after})
			sizes = append(sizes, len(p.Rows))
			for _, r := range p.Rows {
				got = append(got, r.ID)
			}
			if p.Next == nil {
				break
			}
			if page == 3 {
				t.Fatal("a fourth page")
			}
			var err error
			if after, err = store.ParseCursor(p.Next.String()); err != nil { // as a URL would carry it
				t.Fatal(err)
			}
		}
		var want []int64
		for _, k := range all {
			want = append(want, k.id)
		}
		if !slices.Equal(sizes, []int{5, 5, 2}) || !slices.Equal(got, want) {
			t.Errorf("pages of %v, ids %v; want pages of [5 5 2], ids %v", sizes, got, want)
		}
		if p := mustInbox(t, db, store.InboxQuery{Queue: store.QueueAll, Limit: 12}); len(p.Rows) != 12 || p.Next != nil {
			t.Errorf("a page of exactly all: %d rows, next %v", len(p.Rows), p.Next)
		}
		if p := mustInbox(t, db, store.InboxQuery{Queue: store.QueueAll}); len(p.Rows) != 12 || p.Next != nil {
			t.Errorf("default page: %d rows, next %v", len(p.Rows), p.Next)
		}
		early := &store.Cursor{LastActivityAt: base.Add(-time.Hour), ID: 1 << 40}
		if p := mustInbox(t, db, store.InboxQuery{Queue: store.QueueAll, After: early}); len(p.Rows) != 0 || p.Next != nil {
			t.Errorf("after every ticket: %d rows, next %v", len(p.Rows), p.Next)
		}
	})
}

func TestCursor(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	c := store.Cursor{LastActivityAt: at, ID: 42}
	got, err := store.ParseCursor(c.String())
	if err != nil || !got.LastActivityAt.Equal(at) || got.ID != 42 {
		t.Errorf("ParseCursor(%q) = %+v, %v; want %+v", c.String(), got, err, c)
	}
	for _, s := range []string{"", "abc", "1", "1.", ".1", "1.x", "x.1", "1.0", "1.-5", "1.2.3", "1,2",
		"99999999999999999999.1", " 1.2", "1.2 ", "0x10.2", "1.2\x00"} {
		if c, err := store.ParseCursor(s); !errors.Is(err, store.ErrInvalidQuery) {
			t.Errorf("ParseCursor(%q) = %+v, %v; want ErrInvalidQuery", s, c, err)
		}
	}
}

func TestCustomerTickets(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := withClock(db)
		open := func(from, subject string, cc ...string) {
			c.Add(time.Minute)
			d := newTicket(subject)
			d.From = store.Person{Email: from}
			d.Message.SenderAuth = store.SenderVerified // only a verified sender's Cc join
			for _, a := range cc {
				d.Cc = append(d.Cc, store.Person{Email: a})
			}
			deliver(t, db, d)
		}
		open("alice@example.com", "a1", "carol@example.com")
		open("bob@example.com", "b1")
		open("carol@example.com", "c1")
		open("alice@example.com", "a2")
		nobody, err := db.EnsureUser(ctx, "dave@example.com", "", "customer")
		if err != nil {
			t.Fatal(err)
		}
		user := func(email string) int64 {
			u, err := db.UserByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			return u.ID
		}
		for _, tt := range []struct {
			user int64
			want []string
		}{
			{user("alice@example.com"), []string{"a2", "a1"}},
			{user("bob@example.com"), []string{"b1"}},
			{user("carol@example.com"), []string{"c1", "a1"}}, // a1 only as Cc
			{nobody.ID, []string{}},
		} {
			p, err := db.CustomerTickets(ctx, tt.user, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := pageSubjects(p); !slices.Equal(got, tt.want) || p.Next != nil {
				t.Errorf("user %d: %v next %v, want %v", tt.user, got, p.Next, tt.want)
			}
		}
		first, err := db.CustomerTickets(ctx, user("alice@example.com"), nil, 1)
		if err != nil || !slices.Equal(pageSubjects(first), []string{"a2"}) || first.Next == nil {
			t.Fatalf("first page = %+v, %v", first, err)
		}
		second, err := db.CustomerTickets(ctx, user("alice@example.com"), first.Next, 1)
		if err != nil || !slices.Equal(pageSubjects(second), []string{"a1"}) || second.Next != nil {
			t.Errorf("second page = %+v, %v", second, err)
		}
		if _, err := db.CustomerTickets(ctx, nobody.ID, nil, -1); !errors.Is(err, store.ErrInvalidQuery) {
			t.Errorf("negative limit: %v", err)
		}
	})
}
