package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestPortalStatusWords: the customer's list and ticket page name each
// status in words ("Waiting for you", not pending); the staff inbox keeps
// the codes.
func TestPortalStatusWords(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		staff, sam := staffMember(t, srv, db, "sam@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "The CSV is empty."))
		n := itoa(got.TicketNumber)
		for _, tc := range []struct{ status, word string }{
			{"open", "Open"}, {"pending", "Waiting for you"}, {"resolved", "Resolved"}, {"closed", "Closed"},
		} {
			t.Run(tc.status, func(t *testing.T) {
				if tc.status != "open" {
					if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: sam.ID, Status: tc.status}); err != nil {
						t.Fatal(err)
					}
				}
				want := `<span class="status status-` + tc.status + `">` + tc.word + `</span>`
				for _, path := range []string{"/tickets", "/tickets/" + n} {
					if _, body := get(t, ada, srv, path); !strings.Contains(body, want) {
						t.Errorf("%s does not show %s", path, want)
					}
				}
				code := `<span class="status status-` + tc.status + `">` + tc.status + `</span>`
				if _, body := get(t, staff, srv, "/inbox/tickets/"+n); !strings.Contains(body, code) {
					t.Errorf("the staff ticket page does not show %s", code)
				}
			})
		}
	})
}

// TestPortalNoUrgent: the new-ticket form offers no "urgent", and the
// server refuses it from a customer, keeping what they typed.
func TestPortalNoUrgent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		_, form := get(t, ada, srv, "/tickets/new")
		if !strings.Contains(form, `<select id="priority" name="priority"><option>low</option><option selected>normal</option><option>high</option></select>`) {
			t.Errorf("the priority choices are not low, normal (chosen) and high:\n%s", form)
		}
		res, body := postMultipart(t, ada, srv.URL+"/tickets", url.Values{"subject": {"Everything is down"},
			"description": {"Typed with care"}, "priority": {"urgent"}, "category": {"general"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Choose a priority from the list.") ||
			!strings.Contains(body, "Typed with care") || !strings.Contains(body, `value="Everything is down"`) {
			t.Errorf("POST /tickets with urgent: %s\n%s", res.Status, body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets`); n != 0 {
			t.Errorf("an urgent ticket from a customer was opened: %d tickets", n)
		}
	})
}

// TestPortalCategoryNames: customers read a category's configured name, or
// its code capitalised, on the new-ticket form and their ticket; the form
// still posts the code, and staff keep the codes.
func TestPortalCategoryNames(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories,
			CategoryLabels: map[string]string{"billing": "Billing and invoices"}})
		ada := customer(t, srv, db, "ada@example.com")
		staff, _ := staffMember(t, srv, db, "sam@support.example")
		_, form := get(t, ada, srv, "/tickets/new")
		for _, want := range []string{`<option value="billing">Billing and invoices</option>`,
			`<option value="general" selected>General</option>`, `<option value="privacy">Privacy</option>`} {
			if !strings.Contains(form, want) {
				t.Errorf("the new-ticket form does not offer %s:\n%s", want, form)
			}
		}
		res, body := postMultipart(t, ada, srv.URL+"/tickets", url.Values{"subject": {"Invoice twice"},
			"description": {"I was billed twice."}, "priority": {"normal"}, "category": {"billing"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /tickets: %s\n%s", res.Status, body)
		}
		if _, page := get(t, ada, srv, "/tickets/1"); !strings.Contains(page, "normal priority · Billing and invoices</span>") {
			t.Errorf("the customer's ticket does not name the category:\n%s", page)
		}
		if _, page := get(t, staff, srv, "/inbox/tickets/1"); !strings.Contains(page, `<span class="muted">· billing</span>`) {
			t.Errorf("the staff ticket page does not keep the code:\n%s", page)
		}
	})
}

// TestCategoryLabel: unnamed codes are capitalised, with - and _ as spaces.
func TestCategoryLabel(t *testing.T) {
	l := labels{categories: map[string]string{"eu": "Customers in the EU"}}
	for code, want := range map[string]string{"eu": "Customers in the EU", "general": "General", "billing-eu": "Billing eu",
		"órdenes_web": "Órdenes web", "": ""} {
		if got := l.Category(code); got != want {
			t.Errorf("Category(%q) = %q, want %q", code, got, want)
		}
	}
}
