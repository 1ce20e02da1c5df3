package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// Staff add tags (comma-separated, normalised) and remove one on the
// ticket page; each action says what it did; a refused add keeps what was
// typed; customers and other sites cannot change tags; the inbox filters
// by tag and finds tag:name.
func TestInboxTags(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		c, sam := staffMember(t, srv, db, "sam@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Invoice wrong", "Charged twice."))
		other := deliver(t, db, newMail("bob@example.com", "Printer", "Jammed."))
		page := "/inbox/tickets/" + itoa(got.TicketNumber)

		res, _ := do(t, c, "POST", srv.URL+page+"/tags", url.Values{"tags": {" Billing ,  VIP Customer,billing"}})
		if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "notice=tags-added") {
			t.Fatalf("add tags: %s %s", res.Status, res.Header.Get("Location"))
		}
		_, body := get(t, c, srv, res.Header.Get("Location"))
		if !strings.Contains(body, "Tagged this ticket “billing”, “vip customer”.") {
			t.Error("after adding, the page does not say which tags were added")
		}
		if !strings.Contains(body, `<a href="/inbox?tag=billing"`) || !strings.Contains(body, `aria-label="Remove tag vip customer"`) ||
			!strings.Contains(body, `<datalist id="tags-known"><option value="billing"><option value="vip customer">`) {
			t.Error("the page shows no chips with remove buttons, or no suggestions")
		}
		res, _ = do(t, c, "POST", srv.URL+page+"/tags", url.Values{"tags": {"BILLING"}})
		_, body = get(t, c, srv, res.Header.Get("Location"))
		if !strings.Contains(body, "This ticket already has “billing”: nothing changed.") {
			t.Error("adding a tag the ticket has does not say nothing changed")
		}

		// Refused: the error at the form, the typed text kept.
		long := strings.Repeat("x", store.MaxTagLength+1)
		for _, typed := range []string{"ok, " + long, " , "} {
			res, body = do(t, c, "POST", srv.URL+page+"/tags", url.Values{"tags": {typed}})
			if res.StatusCode != 400 || !strings.Contains(body, `id="tags-error"`) || !strings.Contains(body, `value="`+typed+`"`) {
				t.Errorf("a refused add of %q: %s, typed text kept: %v", typed, res.Status, strings.Contains(body, `value="`+typed+`"`))
			}
		}

		// A customer cannot change tags, nor can another site.
		ada := customer(t, srv, db, "ada@example.com")
		if res, _ := do(t, ada, "POST", srv.URL+page+"/tags", url.Values{"tags": {"mine"}}); res.StatusCode != 403 && res.StatusCode != 404 {
			t.Errorf("a customer added tags: %s", res.Status)
		}
		if res, _ := do(t, c, "POST", srv.URL+page+"/tags/remove", url.Values{"tag": {"billing"}}, "Sec-Fetch-Site", "cross-site"); res.StatusCode != 403 {
			t.Errorf("a cross-site remove: %s", res.Status)
		}

		res, _ = do(t, c, "POST", srv.URL+page+"/tags/remove", url.Values{"tag": {"VIP customer"}})
		_, body = get(t, c, srv, res.Header.Get("Location"))
		if !strings.Contains(body, "Removed the tag “vip customer” from this ticket.") {
			t.Error("after removing, the page does not say which tag went")
		}
		res, _ = do(t, c, "POST", srv.URL+page+"/tags/remove", url.Values{"tag": {"vip customer"}})
		_, body = get(t, c, srv, res.Header.Get("Location"))
		if !strings.Contains(body, "did not have the tag “vip customer”") {
			t.Error("removing a tag twice does not say nothing changed")
		}
		// A crafted link cannot make the page claim a change.
		_, body = get(t, c, srv, page+"?notice=tags-added&tag=urgent")
		if strings.Contains(body, "Tagged this ticket") {
			t.Error("the page believed a crafted notice")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ? AND ticket_id = ?`,
			store.AuditTicketTags, sam.ID, got.TicketID); n != 2 {
			t.Errorf("tag audit entries = %d, want 2 (one add, one remove)", n)
		}

		// The inbox: filtered by tag, searched by tag:, rows show tags.
		_, body = get(t, c, srv, "/inbox?tag=Billing")
		if !strings.Contains(body, `id="t-`+itoa(got.TicketNumber)+`"`) || strings.Contains(body, `id="t-`+itoa(other.TicketNumber)+`"`) {
			t.Error("?tag=billing does not list exactly the tagged ticket")
		}
		if !strings.Contains(body, `aria-label="Stop filtering by tag Billing"`) || !strings.Contains(body, `href="/inbox"`) ||
			!strings.Contains(body, `<input type="hidden" name="tag" value="Billing">`) {
			t.Error("the tag filter is not shown as removable, or the filter form drops it")
		}
		if !strings.Contains(body, `<a class="tag tag-label" href="/inbox?tag=billing">billing</a>`) {
			t.Error("the row does not show its tag")
		}
		_, body = get(t, c, srv, "/inbox?q="+url.QueryEscape("tag:billing"))
		if !strings.Contains(body, `id="t-`+itoa(got.TicketNumber)+`"`) || strings.Contains(body, `id="t-`+itoa(other.TicketNumber)+`"`) {
			t.Error("q=tag:billing does not find exactly the tagged ticket")
		}
		if res, _ := get(t, c, srv, "/inbox?tag="+url.QueryEscape(long)); res.StatusCode != 400 {
			t.Errorf("a bad tag filter: %s", res.Status)
		}
	})
}

// Admins rename and merge tags at /admin/tags; staff cannot; a refused
// rename keeps what was typed; the audit log says what happened.
func TestAdminTags(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		boss, bossU := admin(t, srv, db, "boss@support.example")
		sam, samU := staffMember(t, srv, db, "sam@support.example")
		a := deliver(t, db, newMail("ada@example.com", "One", "x"))
		b := deliver(t, db, newMail("bob@example.com", "Two", "y"))
		db.AddTags(ctx, a.TicketID, samU.ID, []string{"bill", "billing"})
		db.AddTags(ctx, b.TicketID, samU.ID, []string{"bill", "refund"})

		if res, _ := get(t, sam, srv, "/admin/tags"); res.StatusCode == 200 {
			t.Error("staff see /admin/tags")
		}
		if res, _ := do(t, sam, "POST", srv.URL+"/admin/tags/rename", url.Values{"from": {"bill"}, "to": {"x"}}); res.StatusCode == 200 || res.StatusCode == 303 {
			t.Errorf("staff renamed a tag: %s", res.Status)
		}
		res, body := get(t, boss, srv, "/admin/tags")
		if res.StatusCode != 200 || !strings.Contains(body, `<a href="/inbox?queue=all&amp;tag=bill">bill</a></td><td data-label="Tickets">2</td>`) ||
			!strings.Contains(body, `<a href="/admin/tags">Tags</a>`) {
			t.Errorf("/admin/tags: %s; lists counts and the nav link: %v", res.Status, strings.Contains(body, `>2</td>`))
		}

		res, body = do(t, boss, "POST", srv.URL+"/admin/tags/rename", url.Values{"from": {"bill"}, "to": {"  "}})
		if res.StatusCode != 400 || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("renaming to nothing: %s", res.Status)
		}
		res, body = do(t, boss, "POST", srv.URL+"/admin/tags/rename", url.Values{"from": {"bill"}, "to": {"Billing"}})
		if res.StatusCode != 200 || !strings.Contains(body, "Renamed “bill” to “billing” on 2 tickets.") {
			t.Errorf("rename onto billing: %s", res.Status)
		}
		res, body = do(t, boss, "POST", srv.URL+"/admin/tags/merge", url.Values{"into": {"Money"}})
		if res.StatusCode != 400 || !strings.Contains(body, `value="Money"`) {
			t.Errorf("a merge with nothing ticked: %s, into kept: %v", res.Status, strings.Contains(body, `value="Money"`))
		}
		res, body = do(t, boss, "POST", srv.URL+"/admin/tags/merge", url.Values{"from": {"billing", "refund"}, "into": {"Money"}})
		if res.StatusCode != 200 || !strings.Contains(body, "Merged 2 tags into “money” on 2 tickets.") {
			t.Errorf("merge: %s", res.Status)
		}
		for _, tk := range []int64{a.TicketID, b.TicketID} {
			if tags, _ := db.TicketTags(ctx, tk); strings.Join(tags, ",") != "money" {
				t.Errorf("ticket %d tags after merge: %q", tk, tags)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ?`, store.AuditTagMerge, bossU.ID); n != 2 {
			t.Errorf("merge audit entries = %d, want 2", n)
		}
		_, body = get(t, boss, srv, "/admin/audit?action=ticket_tags")
		if !strings.Contains(body, "from the tag “billing”, “refund” to “money”") {
			t.Error("the audit page does not say how a ticket's tags were merged")
		}
	})
}

// Customers see their tickets' tags, on the portal and in their export,
// only when staff show tags (DARGO_TAGS_VISIBLE).
func TestTagsVisibleToCustomers(t *testing.T) {
	for _, visible := range []bool{false, true} {
		t.Run(map[bool]string{false: "hidden", true: "shown"}[visible], func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories, TagsVisible: visible,
					ReplyTo: func(int64) string { return "support@example.com" }})
				_, sam := staffMember(t, srv, db, "sam@support.example")
				got := deliver(t, db, newMail("ada@example.com", "Invoice", "x"))
				if _, err := db.AddTags(context.Background(), got.TicketID, sam.ID, []string{"internal-only"}); err != nil {
					t.Fatal(err)
				}
				ada := customer(t, srv, db, "ada@example.com")
				_, body := get(t, ada, srv, "/tickets/"+itoa(got.TicketNumber))
				if strings.Contains(body, "internal-only") != visible {
					t.Errorf("portal page shows the tag: %v, want %v", !visible, visible)
				}
				res, body := get(t, ada, srv, "/account/export")
				if res.StatusCode != 200 {
					t.Fatalf("export: %s", res.Status)
				}
				if strings.Contains(body, `"internal-only"`) != visible {
					t.Errorf("export has the tags: %v, want %v", !visible, visible)
				}
			})
		})
	}
}
