package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestCustomerMerge(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		staff, sam := staffMember(t, srv, db, "sam@support.example")
		deliver(t, db, newMail("ada@example.com", "Printer on fire", "Help."))
		deliver(t, db, newMail("ada.work@corp.example", "Invoice missing", "Where?"))
		deliver(t, db, newMail("gone@example.com", "Erase me", "Please."))
		ada, work, gone := user(t, db, "ada@example.com"), user(t, db, "ada.work@corp.example"), user(t, db, "gone@example.com")
		if _, err := db.Erase(t.Context(), gone.ID, store.EraseOpts{ActorID: sam.ID}); err != nil {
			t.Fatal(err)
		}
		page := "/inbox/customers/" + itoa(ada.ID)

		_, body := get(t, staff, srv, page)
		if !strings.Contains(body, `action="`+page+`/merge"`) || !strings.Contains(body, "Merge another customer into this one") {
			t.Fatalf("the customer page has no merge form:\n%s", body)
		}
		for _, tc := range []struct{ other, says string }{
			{"", "Give the address"},
			{"nobody@example.com", "No customer has that address"},
			{"ADA@example.com", "already this customer"},
			{itoa(sam.ID), "staff account"},
			{itoa(gone.ID), "erased"},
		} {
			res, body := get(t, staff, srv, page+"/merge?other="+url.QueryEscape(tc.other))
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.says) {
				t.Errorf("merge %q: %s, want 400 saying %q", tc.other, res.Status, tc.says)
			}
		}

		res, body := get(t, staff, srv, page+"/merge?other="+url.QueryEscape(" Ada.Work@corp.example "))
		if res.StatusCode != 200 || !strings.Contains(body, "ada.work@corp.example") || !strings.Contains(body, "ada@example.com") ||
			!strings.Contains(body, "1 ticket they opened") || !strings.Contains(body, `name="merge" value="`+itoa(work.ID)+`"`) {
			t.Fatalf("confirmation: %s\n%s", res.Status, body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users WHERE merged_into IS NOT NULL`); n != 0 {
			t.Fatalf("the confirmation page merged %d records", n)
		}

		res, body = do(t, staff, "POST", srv.URL+page+"/merge", url.Values{"merge": {itoa(work.ID)}})
		if res.StatusCode != 200 || !strings.Contains(body, "Merged: ada.work@corp.example is now one of this customer") ||
			!strings.Contains(body, "1 ticket, 1 message and 0 sessions moved here") || !strings.Contains(body, "<dt>Other addresses</dt><dd>ada.work@corp.example</dd>") {
			t.Fatalf("POST merge: %s\n%s", res.Status, body)
		}
		entry := wantAudited(t, db, store.AuditCustomerMerge, sam.ID, ada.ID)
		lines, err := auditLines(t.Context(), db, []store.AuditEntry{entry})
		if err != nil {
			t.Fatal(err)
		}
		if want := " merged customer #" + itoa(work.ID) + " into "; !strings.Contains(lines[0].Sentence, want) || !strings.HasSuffix(lines[0].Sentence, "; moved: tickets 1, messages 1") {
			t.Errorf("the audit page says %q, want it to contain %q and what moved", lines[0].Sentence, want)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets WHERE customer_id = ?`, ada.ID); n != 2 {
			t.Errorf("tickets of the kept customer = %d, want 2", n)
		}
		if res, _ := do(t, staff, "POST", srv.URL+page+"/merge", url.Values{"merge": {itoa(work.ID)}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("merging again: %s, want 400", res.Status)
		}
		// The merged record's page is the person's.
		if _, body := get(t, staff, srv, "/inbox/customers/"+itoa(work.ID)); !strings.Contains(body, "ada@example.com") {
			t.Errorf("the merged record's page does not show the kept customer")
		}
		_, body = get(t, staff, srv, "/inbox/customers?q=corp")
		if got := customerNames(body); len(got) != 1 || !strings.Contains(body, "ada.work@corp.example") {
			t.Errorf("search by the merged address: %q", got)
		}
		// Signing in with the merged address reaches the same account.
		c := customer(t, srv, db, "ada.work@corp.example")
		if _, body := get(t, c, srv, "/tickets"); !strings.Contains(body, "Printer on fire") || !strings.Contains(body, "Invoice missing") {
			t.Errorf("signed in with the merged address, the tickets page lacks the kept customer's tickets:\n%s", body)
		}
		ada2 := customer(t, srv, db, "ada@example.com")
		if res, _ := get(t, ada2, srv, page+"/merge?other=x"); res.StatusCode != http.StatusForbidden {
			t.Errorf("a customer reached the merge page: %s", res.Status)
		}
	})
}
