package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// choicesOf returns the person's choices by kind.
func choicesOf(t *testing.T, db *store.DB, userID int64) map[string]store.Choice {
	t.Helper()
	list, err := db.Choices(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Choice{}
	for _, c := range list {
		out[c.Kind] = c
	}
	return out
}

// TestAccountChoices: a person objects to optional mail and analytics on
// /account, sees each choice with its time, is told what changed, finds
// the choices in their export, and can allow them again.
func TestAccountChoices(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		adaU := user(t, db, "ada@example.com")

		_, page := get(t, ada, srv, "/account")
		if !strings.Contains(page, "Your choices") || !strings.Contains(page, "Don&#39;t send me optional mail (announcements).") ||
			!strings.Contains(page, "Don&#39;t record how I use Dargo (usage analytics).") || strings.Count(page, "Allowed") != 2 {
			t.Fatalf("/account before any choice:\n%s", page)
		}

		res, _ := do(t, ada, "POST", srv.URL+"/account/choices", url.Values{"mail": {"1"}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/account?notice=mail-objected#choices" {
			t.Fatalf("POST /account/choices: %s → %q", res.Status, loc)
		}
		_, page = get(t, ada, srv, "/account?notice=mail-objected")
		if !strings.Contains(page, "Saved: we will not send you optional mail.") || !strings.Contains(page, "You objected on ") ||
			!strings.Contains(page, `name="mail" value="1" checked`) || strings.Contains(page, `name="analytics" value="1" checked`) {
			t.Errorf("/account after objecting to mail:\n%s", page)
		}
		if c := choicesOf(t, db, adaU.ID); !c[store.ChoiceMail].Objected || c[store.ChoiceAnalytics].Objected {
			t.Errorf("choices = %+v, want mail objected only", c)
		}

		res, _ = do(t, ada, "POST", srv.URL+"/account/choices", url.Values{"analytics": {"1"}})
		if loc := res.Header.Get("Location"); loc != "/account?notice=mail-allowed&notice=analytics-objected#choices" {
			t.Errorf("second POST → %q, want both changes named", loc)
		}
		res, _ = do(t, ada, "POST", srv.URL+"/account/choices", url.Values{"analytics": {"1"}})
		if loc := res.Header.Get("Location"); loc != "/account?notice=unchanged#choices" {
			t.Errorf("repeated POST → %q, want unchanged", loc)
		}
		entries := audited(t, db, store.AuditChoice)
		if len(entries) != 3 {
			t.Fatalf("choice audit entries = %d, want 3 (one per change)", len(entries))
		}
		for _, e := range entries {
			if idOf(e.ActorID) != adaU.ID || idOf(e.UserID) != adaU.ID || !strings.Contains(e.Detail, `"via":"account"`) {
				t.Errorf("audit entry %+v, want by and about #%d, via account", e, adaU.ID)
			}
		}
		noAddressInAudit(t, db)

		_, body := get(t, ada, srv, "/account/export")
		var doc struct {
			Choices []map[string]any `json:"choices"`
		}
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Choices) != 2 || doc.Choices[0]["kind"] != "mail" || doc.Choices[0]["objected"] != false || doc.Choices[0]["changed_at"] == nil ||
			doc.Choices[1]["kind"] != "analytics" || doc.Choices[1]["objected"] != true || doc.Choices[1]["recorded_by_staff"] != false {
			t.Errorf("export choices = %v", doc.Choices)
		}
	})
}

// TestStaffRecordsChoices: staff record an objection a customer sent by
// mail on the customer's page, audited as theirs and shown on both pages;
// customers cannot use that form, staff cannot use it on staff, and a
// cross-site POST changes nothing.
func TestStaffRecordsChoices(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		bob := customer(t, srv, db, "bob@example.com")
		staff, sam := staffMember(t, srv, db, "sam@support.example")
		adaU, bobU := user(t, db, "ada@example.com"), user(t, db, "bob@example.com")
		page := "/inbox/customers/" + itoa(adaU.ID)

		res, _ := do(t, staff, "POST", srv.URL+page+"/choices", url.Values{"mail": {"1"}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != page+"?notice=mail-objected#choices" {
			t.Fatalf("POST %s/choices: %s → %q", page, res.Status, loc)
		}
		_, body := get(t, staff, srv, page+"?notice=mail-objected")
		if !strings.Contains(body, "Recorded: they object to optional mail.") || !strings.Contains(body, ", recorded by staff") ||
			!strings.Contains(body, `name="mail" value="1" checked`) {
			t.Errorf("customer page after recording:\n%s", body)
		}
		e := wantAudited(t, db, store.AuditChoice, sam.ID, adaU.ID)
		if e.Detail != `{"kind":"mail","objected":true,"via":"staff"}` {
			t.Errorf("audit detail = %s", e.Detail)
		}
		if c := choicesOf(t, db, adaU.ID)[store.ChoiceMail]; !c.Objected || idOf(c.ChangedBy) != sam.ID {
			t.Errorf("ada's mail choice = %+v, want objected, recorded by #%d", c, sam.ID)
		}
		_, body = get(t, ada, srv, "/account")
		if !strings.Contains(body, "You objected on ") || !strings.Contains(body, "recorded by our staff from your message") {
			t.Errorf("ada's /account does not show the recorded objection:\n%s", body)
		}

		for _, tc := range []struct {
			who    *http.Client
			path   string
			header []string
			status int
		}{
			{bob, page + "/choices", nil, http.StatusForbidden},                                // a customer, about someone else
			{ada, page + "/choices", nil, http.StatusForbidden},                                // a customer, about themself: /account is theirs
			{staff, "/inbox/customers/" + itoa(sam.ID) + "/choices", nil, http.StatusNotFound}, // staff are not customers
			{staff, "/inbox/customers/99999/choices", nil, http.StatusNotFound},
			{staff, page + "/choices", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
			{bob, "/account/choices", []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		} {
			res, _ := do(t, tc.who, "POST", srv.URL+tc.path, url.Values{"analytics": {"1"}}, tc.header...)
			if res.StatusCode != tc.status {
				t.Errorf("POST %s %v: %s, want %d", tc.path, tc.header, res.Status, tc.status)
			}
		}
		for _, id := range []int64{adaU.ID, bobU.ID, sam.ID} {
			if c := choicesOf(t, db, id)[store.ChoiceAnalytics]; c.Objected {
				t.Errorf("a refused POST changed #%d's analytics choice", id)
			}
		}
		if n := len(audited(t, db, store.AuditChoice)); n != 1 {
			t.Errorf("choice audit entries = %d, want 1 (refused requests are not audited)", n)
		}

		res, body = get(t, staff, srv, page+"/export")
		if res.StatusCode != 200 || !strings.Contains(body, `"recorded_by_staff": true`) {
			t.Errorf("staff download of ada's data: %s, choices missing:\n%s", res.Status, body)
		}
	})
}
