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

// TestInboxFollow: staff follow and unfollow a ticket with its button and
// are told what it means for their mail; the side panel names the
// followers (display name, else name, else address); the assignee follows
// by being assigned; customers cannot follow.
func TestInboxFollow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		sam, samU := staffMember(t, srv, db, "sam@support.example")
		mia, miaU := staffMember(t, srv, db, "mia@support.example")
		if _, err := db.SaveStaffProfile(ctx, miaU.ID, "Mia Wong", ""); err != nil {
			t.Fatal(err)
		}
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "The CSV is empty."))
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		followers := func() []string {
			t.Helper()
			us, err := db.Followers(ctx, got.TicketID)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, u := range us {
				out = append(out, u.Email)
			}
			return out
		}
		expect := func(c *http.Client, wants ...string) {
			t.Helper()
			_, page := get(t, c, srv, path+"?notice="+url.QueryEscape(wants[0]))
			for _, w := range wants[1:] {
				if !strings.Contains(page, w) {
					t.Errorf("the ticket page lacks %s", w)
				}
			}
		}
		post := func(c *http.Client, action string, form url.Values, wantLoc string) {
			t.Helper()
			res, _ := do(t, c, "POST", srv.URL+path+"/"+action, form)
			if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != wantLoc {
				t.Fatalf("POST %s: %s → %q, want %q", action, res.Status, loc, wantLoc)
			}
		}

		expect(sam, "", `<strong>Followers:</strong> <span class="muted">nobody</span>`, `action="`+path+`/follow" id="follow-form"`, "Follow (f)")
		post(sam, "follow", url.Values{}, path+"?notice=followed")
		expect(sam, "followed", "You follow #"+itoa(got.TicketNumber)+": you&#39;ll get mail when the customer writes.",
			`<strong>Followers:</strong> <span class="who">sam@support.example</span>`, `action="`+path+`/unfollow" id="follow-form"`, "Unfollow (f)")
		post(sam, "follow", url.Values{}, path+"?notice=followed") // twice is harmless
		if f := followers(); strings.Join(f, " ") != "sam@support.example" {
			t.Errorf("followers %q, want sam", f)
		}

		// Mia follows from a filtered list and goes back there; she is
		// named by her display name. Her notices for customer mail are off:
		// she is told she will get none.
		if err := db.SaveStaffPrefs(ctx, store.StaffPrefs{UserID: miaU.ID, Mention: true}); err != nil {
			t.Fatal(err)
		}
		back := "/inbox?queue=all"
		post(mia, "follow", url.Values{"back": {back}}, path+"?back="+url.QueryEscape(back)+"&notice=followed-quiet")
		expect(mia, "followed-quiet", "but your notifications are set to send no mail when a customer writes",
			`<span class="who">Mia Wong</span>, <span class="who">sam@support.example</span>`)

		post(sam, "unfollow", url.Values{}, path+"?notice=unfollowed")
		expect(sam, "unfollowed", "You no longer follow #"+itoa(got.TicketNumber)+": no more mail when the customer writes.",
			`<strong>Followers:</strong> <span class="who">Mia Wong</span></p>`, "Follow (f)")

		// Assigning Sam makes him follow; unfollowing, he is told he still hears as the assignee.
		if err := db.ChangeTicket(ctx, store.Change{TicketID: got.TicketID, ActorID: miaU.ID, Assignee: &samU.ID}); err != nil {
			t.Fatal(err)
		}
		if f := followers(); strings.Join(f, " ") != "mia@support.example sam@support.example" {
			t.Errorf("followers after assigning Sam %q", f)
		}
		post(sam, "unfollow", url.Values{}, path+"?notice=unfollowed-assignee")
		expect(sam, "unfollowed-assignee", "but as its assignee you still get mail when the customer writes.")

		// A customer can neither follow nor see the button.
		ada := customer(t, srv, db, "ada@example.com")
		for _, action := range []string{"follow", "unfollow"} {
			if res, _ := do(t, ada, "POST", srv.URL+path+"/"+action, url.Values{}); res.StatusCode != http.StatusForbidden {
				t.Errorf("a customer's %s: %s, want 403", action, res.Status)
			}
		}
		if _, page := get(t, ada, srv, "/tickets/"+itoa(got.TicketNumber)); strings.Contains(page, "follow-form") || strings.Contains(page, "Followers") {
			t.Error("the customer's ticket page shows followers")
		}
		if f := followers(); strings.Join(f, " ") != "mia@support.example" {
			t.Errorf("followers at the end %q, want Mia", f)
		}
		// Another site cannot make staff follow.
		if res, _ := do(t, sam, "POST", srv.URL+path+"/follow", url.Values{}, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Errorf("a cross-site follow: %s, want 403", res.Status)
		}
		// No such ticket.
		if res, _ := do(t, sam, "POST", srv.URL+"/inbox/tickets/999/follow", url.Values{}); res.StatusCode != http.StatusNotFound {
			t.Errorf("following ticket 999: %s, want 404", res.Status)
		}
	})
}
