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

// TestAccountNotices: a staff member chooses on /account which notices
// they get, whose new tickets, and whether they are away; the page says
// what was saved and shows it. Customers have no such section and cannot
// post the form, and a cross-site post changes nothing.
func TestAccountNotices(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		mia, miaU := staffMember(t, srv, db, "mia@dargo.test")
		prefs := func() store.StaffPrefs {
			t.Helper()
			p, err := db.StaffPrefs(ctx, miaU.ID)
			if err != nil {
				t.Fatal(err)
			}
			p.UpdatedAt = p.UpdatedAt.UTC().Truncate(0)
			return *p
		}

		// Every kind is on by default, no category chosen, not away.
		_, page := get(t, mia, srv, "/account")
		for _, want := range []string{`<h2 id="notifications">Notifications</h2>`, `action="/account/notifications"`,
			`name="kind" value="new_ticket" checked> A new ticket arrives`,
			`name="kind" value="privacy_due" checked> A privacy request is near its 30-day due date`,
			`name="category" value="billing"> billing`, `name="category" value="privacy"> privacy`,
			`name="away" value="1"> Away: pause all notifications`} {
			if !strings.Contains(page, want) {
				t.Errorf("/account for staff lacks %s", want)
			}
		}

		tests := []struct {
			name   string
			form   url.Values
			notice string
			want   store.StaffPrefs
			shown  []string
		}{
			{"away, new tickets off, billing only",
				url.Values{"kind": {"customer_reply", "assigned", "mention", "privacy_due"}, "category": {"billing", "no-such"}, "away": {"1"}},
				"notices-away", store.StaffPrefs{CustomerReply: true, Assigned: true, Mention: true, PrivacyDue: true, Away: true, Categories: "billing"},
				[]string{"Notifications saved. You are away: no notices until you switch this off.",
					`name="kind" value="new_ticket"> A new ticket arrives`, `name="kind" value="mention" checked>`,
					`name="category" value="billing" checked> billing`, `name="category" value="general"> general`,
					`name="away" value="1" checked>`, "You are away now."}},
			{"back, two categories", url.Values{"kind": {"new_ticket", "mention"}, "category": {"privacy", "general"}},
				"notices-saved", store.StaffPrefs{NewTicket: true, Mention: true, Categories: "general,privacy"},
				[]string{"Notifications saved: you get mail for the kinds ticked below.", `name="kind" value="new_ticket" checked>`,
					`name="kind" value="assigned"> Someone assigns`, `name="category" value="privacy" checked>`, `name="away" value="1"> Away`}},
			{"nothing ticked", url.Values{}, "notices-none", store.StaffPrefs{},
				[]string{"Notifications saved. Every kind is off", `name="kind" value="customer_reply"> A customer writes`}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res, _ := do(t, mia, "POST", srv.URL+"/account/notifications", tc.form)
				want := "/account?notice=" + tc.notice + "#notifications"
				if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != want {
					t.Fatalf("POST /account/notifications: %s → %q, want %q", res.Status, loc, want)
				}
				got := prefs()
				tc.want.UserID, tc.want.UpdatedAt = miaU.ID, got.UpdatedAt
				if got != tc.want {
					t.Errorf("saved %+v, want %+v", got, tc.want)
				}
				_, page := get(t, mia, srv, strings.TrimSuffix(want, "#notifications"))
				for _, s := range tc.shown {
					if !strings.Contains(page, s) {
						t.Errorf("/account after saving lacks %s", s)
					}
				}
			})
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ?`, store.AuditStaffPrefs, miaU.ID); n != len(tests) {
			t.Errorf("%d audited changes of notifications, want %d", n, len(tests))
		}

		// A post from another site is refused and changes nothing.
		before := prefs()
		res, _ := do(t, mia, "POST", srv.URL+"/account/notifications", url.Values{"kind": {"new_ticket"}, "away": {"1"}},
			"Sec-Fetch-Site", "cross-site")
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("a cross-site post: %s, want 403", res.Status)
		}
		if after := prefs(); after != before {
			t.Errorf("a cross-site post changed the choices: %+v → %+v", before, after)
		}

		// Customers neither see nor post it.
		ada := customer(t, srv, db, "ada@example.com")
		if _, page := get(t, ada, srv, "/account"); strings.Contains(page, "Notifications") || strings.Contains(page, "/account/notifications") {
			t.Error("a customer's /account shows the staff notifications")
		}
		res, _ = do(t, ada, "POST", srv.URL+"/account/notifications", url.Values{"kind": {"new_ticket"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("a customer's post: %s, want 403", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staff_prefs p JOIN users u ON u.id = p.user_id WHERE u.email = 'ada@example.com'`); n != 0 {
			t.Errorf("a customer's post saved %d rows of staff choices", n)
		}
	})
}
