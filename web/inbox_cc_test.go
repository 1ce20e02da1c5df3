package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// A forged mail's Cc waits for staff: the page marks the mail "sender not
// verified", lists the suggested person, and Add makes them a participant
// who then sees the ticket in their portal. A customer named like staff
// still reads as the customer.
func TestInboxSenderAndSuggestions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		c, _ := staffMember(t, srv, db, "sam@support.example")
		d := newMail("ada@example.com", "Printer", "It is on fire.")
		d.From.Name = "Alice, Support"
		d.Cc = []store.Person{{Email: "eve@evil.test", Name: "Eve"}, {Email: "zed@evil.test"}}
		d.Message.SenderAuthReason = "no DKIM, SPF or DMARC results for this mail"
		got := deliver(t, db, d)
		page := "/inbox/tickets/" + itoa(got.TicketNumber)

		_, body := get(t, c, srv, page)
		for _, want := range []string{
			`<span class="tag tag-unverified" title="no DKIM, SPF or DMARC results for this mail">sender not verified</span>`,
			`<span class="tag tag-customer">Customer</span>`, `&lt;ada@example.com&gt;`,
			`<h2 id="cc-h">Suggested people</h2>`, `Eve &lt;eve@evil.test&gt;`, "the mail&#39;s sender is not verified",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("ticket page lacks %q", want)
			}
		}
		if strings.Contains(body, "tag-staff") {
			t.Error("a customer's mail carries the staff badge")
		}
		eve := customer(t, srv, db, "eve@evil.test")
		if res, _ := get(t, eve, srv, "/tickets/"+itoa(got.TicketNumber)); res.StatusCode != 404 {
			t.Fatalf("eve reads the ticket before anyone added her: %s", res.Status)
		}

		sug, err := db.CcSuggestions(ctx, got.TicketID)
		if err != nil || len(sug) != 2 {
			t.Fatalf("suggestions: %+v %v", sug, err)
		}
		res, _ := do(t, c, "POST", srv.URL+page+"/cc/"+itoa(sug[0].ID)+"/accept", url.Values{})
		if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "notice=cc-added") {
			t.Fatalf("accept: %s %s", res.Status, res.Header.Get("Location"))
		}
		_, body = get(t, c, srv, page+"?notice=cc-added")
		if !strings.Contains(body, "Added. They now see this ticket") || strings.Contains(body, "eve@evil.test&gt;</span> <span class=\"muted\">the mail") {
			t.Error("after Add the page does not say so, or still suggests eve")
		}
		if !strings.Contains(body, "sam@support.example: cc → eve@evil.test") {
			t.Error("the history does not record who added eve")
		}
		if res, _ := get(t, eve, srv, "/tickets/"+itoa(got.TicketNumber)); res.StatusCode != 200 {
			t.Errorf("eve, added by staff, cannot read the ticket: %s", res.Status)
		}
		// Deciding again, or on another ticket's suggestion, changes nothing.
		res, _ = do(t, c, "POST", srv.URL+page+"/cc/"+itoa(sug[0].ID)+"/dismiss", url.Values{})
		if !strings.Contains(res.Header.Get("Location"), "notice=cc-gone") {
			t.Errorf("second decision: %s", res.Header.Get("Location"))
		}
		res, _ = do(t, c, "POST", srv.URL+page+"/cc/all/dismiss", url.Values{})
		if !strings.Contains(res.Header.Get("Location"), "notice=cc-all") {
			t.Errorf("dismiss all: %s", res.Header.Get("Location"))
		}
		if left, _ := db.CcSuggestions(ctx, got.TicketID); len(left) != 0 {
			t.Errorf("%d suggestions left", len(left))
		}
		if res, _ := do(t, c, "POST", srv.URL+page+"/cc/abc/accept", url.Values{}); res.StatusCode != 404 {
			t.Errorf("bad id: %s", res.Status)
		}
		// Customers cannot decide.
		if res, _ := do(t, eve, "POST", srv.URL+page+"/cc/all/dismiss", url.Values{}); res.StatusCode != 403 && res.StatusCode != 404 {
			t.Errorf("a customer dismissed suggestions: %s", res.Status)
		}
		// The customer's portal: staff replies carry the badge, Ada's own
		// mail the Customer tag, and no "sender not verified" for customers.
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: mustUser(t, db, "sam@support.example"), Text: "On it."}); err != nil {
			t.Fatal(err)
		}
		_, body = get(t, eve, srv, "/tickets/"+itoa(got.TicketNumber))
		if !strings.Contains(body, `<span class="tag tag-staff">Support team</span>`) || !strings.Contains(body, `<span class="tag tag-customer">Customer</span>`) {
			t.Error("the portal does not tell staff replies from customer messages")
		}
		if strings.Contains(body, "not verified") {
			t.Error("the portal shows staff's sender check")
		}
	})
}

func mustUser(t *testing.T, db *store.DB, email string) int64 {
	t.Helper()
	u, err := db.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
