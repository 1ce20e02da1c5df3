package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestNormalizeTag(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"billing", "billing"},
		{"  Billing  ", "billing"},
		{"Billing\t  Issue", "billing issue"},
		{"VIP", "vip"},
		{"Straße", "strasse"}, // case folding, not just lower-casing
		{"ΣΊΣΥΦΟΣ", "σίσυφοσ"},
		{strings.Repeat("a", store.MaxTagLength), strings.Repeat("a", store.MaxTagLength)},
		{"  " + strings.Repeat("é", store.MaxTagLength) + " ", strings.Repeat("é", store.MaxTagLength)},
	} {
		got, err := store.NormalizeTag(c.in)
		if err != nil || got != c.want {
			t.Errorf("NormalizeTag(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "   ", "\t\n", strings.Repeat("a", store.MaxTagLength+1), "a\x00b", "bell\a", "a,b",
		"zero\u200bwidth", "\xff"} {
		if got, err := store.NormalizeTag(bad); !errors.Is(err, store.ErrInvalidTag) {
			t.Errorf("NormalizeTag(%q) = %q, %v; want ErrInvalidTag", bad, got, err)
		}
	}
}

func TestParseTags(t *testing.T) {
	got, err := store.ParseTags(" Billing, vip ,, BILLING,  two   words ")
	if err != nil || !slices.Equal(got, []string{"billing", "vip", "two words"}) {
		t.Errorf("ParseTags = %q, %v", got, err)
	}
	if got, err := store.ParseTags(" , "); err != nil || len(got) != 0 {
		t.Errorf("ParseTags of nothing = %q, %v", got, err)
	}
}

func TestSplitTagSearch(t *testing.T) {
	for _, c := range []struct {
		in, rest string
		tags     []string
	}{
		{"printer", "printer", nil},
		{"tag:vip", "", []string{"vip"}},
		{"printer  TAG:Billing fire", "printer fire", []string{"Billing"}},
		{`tag:"two words" late`, "late", []string{"two words"}},
		{`tag:"open ended`, "", []string{"open ended"}},
		{"tag: x", "tag: x", nil}, // "tag:" alone names no tag: it is text
		{"hashtag:x", "hashtag:x", nil},
	} {
		tags, rest := store.SplitTagSearch(c.in)
		if rest != c.rest || !slices.Equal(tags, c.tags) {
			t.Errorf("SplitTagSearch(%q) = %q, %q; want %q, %q", c.in, tags, rest, c.tags, c.rest)
		}
	}
}

// tagAudits counts a ticket's tag audit entries.
func tagAudits(t *testing.T, db *store.DB, ticketID int64) int {
	return count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND ticket_id = ?`, store.AuditTicketTags, ticketID)
}

func TestAddRemoveTags(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tk := deliver(t, db, newTicket("Invoice wrong")).TicketID
		agent, err := db.SetRole(ctx, "agent@acme.test", "staff")
		if err != nil {
			t.Fatal(err)
		}
		added, err := db.AddTags(ctx, tk, agent.ID, []string{" Billing ", "VIP", "billing"})
		if err != nil || !slices.Equal(added, []string{"billing", "vip"}) {
			t.Fatalf("AddTags = %q, %v", added, err)
		}
		// Again: idempotent, nothing added, nothing audited.
		if added, err := db.AddTags(ctx, tk, agent.ID, []string{"BILLING"}); err != nil || len(added) != 0 {
			t.Errorf("AddTags again = %q, %v", added, err)
		}
		if got, _ := db.TicketTags(ctx, tk); !slices.Equal(got, []string{"billing", "vip"}) {
			t.Errorf("TicketTags = %q", got)
		}
		if n := tagAudits(t, db, tk); n != 1 {
			t.Errorf("audit entries after adds = %d, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ?`, store.AuditTicketTags, agent.ID); n != 1 {
			t.Errorf("audit entries by the agent = %d, want 1", n)
		}
		removed, err := db.RemoveTags(ctx, tk, agent.ID, []string{"Vip", "never-there"})
		if err != nil || !slices.Equal(removed, []string{"vip"}) {
			t.Fatalf("RemoveTags = %q, %v", removed, err)
		}
		if removed, err := db.RemoveTags(ctx, tk, agent.ID, []string{"vip"}); err != nil || len(removed) != 0 {
			t.Errorf("RemoveTags again = %q, %v", removed, err)
		}
		if n := tagAudits(t, db, tk); n != 2 {
			t.Errorf("audit entries after removes = %d, want 2", n)
		}
		// The tag stays for the list, with no tickets.
		tags, err := db.Tags(ctx)
		if err != nil || !slices.Equal(tags, []store.TagCount{{Name: "billing", Tickets: 1}, {Name: "vip", Tickets: 0}}) {
			t.Errorf("Tags = %+v, %v", tags, err)
		}
		if _, err := db.AddTags(ctx, tk, agent.ID, []string{"ok", "bad,tag"}); !errors.Is(err, store.ErrInvalidTag) {
			t.Errorf("AddTags with a bad name: %v", err)
		}
		if got, _ := db.TicketTags(ctx, tk); !slices.Equal(got, []string{"billing"}) {
			t.Errorf("a refused add changed the tags: %q", got)
		}
		if _, err := db.AddTags(ctx, 999999, agent.ID, []string{"x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("AddTags on no ticket: %v", err)
		}
	})
}

func TestRenameAndMergeTags(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		admin, err := db.SetRole(ctx, "admin@acme.test", "admin")
		if err != nil {
			t.Fatal(err)
		}
		a := deliver(t, db, newTicket("One")).TicketID
		b := deliver(t, db, newTicket("Two")).TicketID
		c := deliver(t, db, newTicket("Three")).TicketID
		for tk, tags := range map[int64][]string{a: {"bill", "billing"}, b: {"bill", "invoice"}, c: {"billing"}} {
			if _, err := db.AddTags(ctx, tk, admin.ID, tags); err != nil {
				t.Fatal(err)
			}
		}
		before := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, store.AuditTicketTags)
		// Rename to a new name.
		if n, err := db.RenameTag(ctx, admin.ID, "Invoice", "Invoices"); err != nil || n != 1 {
			t.Fatalf("RenameTag = %d, %v", n, err)
		}
		if got, _ := db.TicketTags(ctx, b); !slices.Equal(got, []string{"bill", "invoices"}) {
			t.Errorf("b after rename = %q", got)
		}
		// Rename onto an existing name merges: a keeps one "billing".
		if n, err := db.RenameTag(ctx, admin.ID, "bill", "billing"); err != nil || n != 2 {
			t.Fatalf("RenameTag colliding = %d, %v", n, err)
		}
		for tk, want := range map[int64][]string{a: {"billing"}, b: {"billing", "invoices"}, c: {"billing"}} {
			if got, _ := db.TicketTags(ctx, tk); !slices.Equal(got, want) {
				t.Errorf("ticket %d after merge = %q, want %q", tk, got, want)
			}
		}
		if after := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, store.AuditTicketTags); after-before != 3 {
			t.Errorf("per-ticket audit entries = %d, want 3 (b; a and b)", after-before)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ?`, store.AuditTagMerge, admin.ID); n != 2 {
			t.Errorf("merge audit entries = %d, want 2", n)
		}
		// Merge many into a new one.
		if n, err := db.MergeTags(ctx, admin.ID, []string{"billing", "invoices", "nonesuch"}, "Money"); err != nil || n != 3 {
			t.Fatalf("MergeTags = %d, %v", n, err)
		}
		tags, _ := db.Tags(ctx)
		if !slices.Equal(tags, []store.TagCount{{Name: "money", Tickets: 3}}) {
			t.Errorf("Tags after merge = %+v", tags)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM ticket_tags`); n != 3 {
			t.Errorf("ticket_tags rows = %d, want 3", n)
		}
		if _, err := db.RenameTag(ctx, admin.ID, "gone", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rename of no tag: %v", err)
		}
		if n, err := db.RenameTag(ctx, admin.ID, "MONEY", "money"); err != nil || n != 0 {
			t.Errorf("rename to itself = %d, %v", n, err)
		}
		if _, err := db.RenameTag(ctx, admin.ID, "money", " "); !errors.Is(err, store.ErrInvalidTag) {
			t.Errorf("rename to nothing: %v", err)
		}
	})
}

// TestAddSameNewTagConcurrently: two connections making the same new tag at
// once both succeed, with one tag row.
func TestAddSameNewTagConcurrently(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		agent, err := db.SetRole(ctx, "agent@acme.test", "staff")
		if err != nil {
			t.Fatal(err)
		}
		a := deliver(t, db, newTicket("One")).TicketID
		b := deliver(t, db, newTicket("Two")).TicketID
		for i := range 20 {
			name := fmt.Sprintf("new %d", i)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for j, tk := range []int64{a, b} {
				wg.Go(func() { _, errs[j] = db.AddTags(ctx, tk, agent.ID, []string{name}) })
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM tags WHERE name = ?`, name); n != 1 {
				t.Errorf("tag rows for %q = %d", name, n)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE g.name = ?`, name); n != 2 {
				t.Errorf("tickets tagged %q = %d, want 2", name, n)
			}
		}
	})
}

func TestInboxTagFilterAndSearch(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		agent, err := db.SetRole(ctx, "agent@acme.test", "staff")
		if err != nil {
			t.Fatal(err)
		}
		a := deliver(t, db, newTicket("Printer jammed")).TicketID
		b := deliver(t, db, newTicket("Printer on fire")).TicketID
		deliver(t, db, newTicket("Printer fine"))
		db.AddTags(ctx, a, agent.ID, []string{"hardware", "two words"})
		db.AddTags(ctx, b, agent.ID, []string{"hardware", "urgent"})
		numbers := func(q store.InboxQuery) []int64 {
			t.Helper()
			q.ViewerID = agent.ID
			page, err := db.Inbox(ctx, q)
			if err != nil {
				t.Fatalf("Inbox(%+v): %v", q, err)
			}
			var out []int64
			for _, r := range page.Rows {
				out = append(out, r.ID)
			}
			return out
		}
		if got := numbers(store.InboxQuery{Tags: []string{"Hardware"}}); !slices.Equal(got, []int64{b, a}) {
			t.Errorf("tag hardware = %v", got)
		}
		if got := numbers(store.InboxQuery{Tags: []string{"hardware", "urgent"}}); !slices.Equal(got, []int64{b}) {
			t.Errorf("tags hardware and urgent = %v", got)
		}
		if got := numbers(store.InboxQuery{Search: `tag:"Two Words"`}); !slices.Equal(got, []int64{a}) {
			t.Errorf(`search tag:"two words" = %v`, got)
		}
		if got := numbers(store.InboxQuery{Search: "fire tag:hardware"}); !slices.Equal(got, []int64{b}) {
			t.Errorf("search fire tag:hardware = %v", got)
		}
		if got := numbers(store.InboxQuery{Search: "tag:nonesuch"}); len(got) != 0 {
			t.Errorf("search tag:nonesuch = %v", got)
		}
		page, err := db.Inbox(ctx, store.InboxQuery{ViewerID: agent.ID, Tags: []string{"urgent"}})
		if err != nil || len(page.Rows) != 1 || !slices.Equal(page.Rows[0].Tags, []string{"hardware", "urgent"}) {
			t.Errorf("row tags = %+v, %v", page.Rows, err)
		}
		if _, err := db.Inbox(ctx, store.InboxQuery{Tags: []string{"a,b"}}); !errors.Is(err, store.ErrInvalidQuery) {
			t.Errorf("bad tag filter: %v", err)
		}
		if _, err := db.Inbox(ctx, store.InboxQuery{Search: strings.Repeat("tag:x tag:y ", 3) + "tag:a tag:b tag:c tag:d tag:e tag:f tag:g tag:h tag:i"}); !errors.Is(err, store.ErrInvalidQuery) {
			t.Errorf("eleven tags: %v", err)
		}
	})
}

func TestExportTagsOnlyWhenShown(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		agent, err := db.SetRole(ctx, "agent@acme.test", "staff")
		if err != nil {
			t.Fatal(err)
		}
		tk := deliver(t, db, newTicket("Invoice")).TicketID
		if _, err := db.AddTags(ctx, tk, agent.ID, []string{"billing"}); err != nil {
			t.Fatal(err)
		}
		replyTo := func(int64) string { return "support@acme.test" }
		hidden, err := db.Export(ctx, "alice@example.com", replyTo)
		if err != nil || len(hidden.Tickets) != 1 || hidden.Tickets[0].Tags != nil {
			t.Errorf("default export: %+v, %v", hidden.Tickets, err)
		}
		shown, err := db.Export(ctx, "alice@example.com", replyTo, store.ExportOpts{Tags: true})
		if err != nil || len(shown.Tickets) != 1 || !slices.Equal(shown.Tickets[0].Tags, []string{"billing"}) {
			t.Errorf("export with tags shown: %+v, %v", shown.Tickets, err)
		}
	})
}
