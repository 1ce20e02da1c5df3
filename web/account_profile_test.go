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

// TestAccountStaffProfile: a staff member sets how customers see them on
// /account and is told it was saved; a refused name comes back with the
// reason and everything they typed.
func TestAccountStaffProfile(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		mia, miaU := staffMember(t, srv, db, "mia@dargo.test")

		_, page := get(t, mia, srv, "/account")
		if !strings.Contains(page, "How customers see you") || !strings.Contains(page, `name="display_name"`) {
			t.Fatalf("/account for staff lacks the profile form:\n%s", page)
		}

		res, _ := do(t, mia, "POST", srv.URL+"/account/profile", url.Values{"display_name": {" Mia "}, "signature": {"Mia\r\nPrinters & <scanners>"}})
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/account?notice=profile-saved#profile" {
			t.Fatalf("POST /account/profile: %s → %q", res.Status, loc)
		}
		p, err := db.StaffProfile(context.Background(), miaU.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.DisplayName != "Mia" || p.Signature != "Mia\nPrinters & <scanners>" {
			t.Errorf("saved %+v", p)
		}
		_, page = get(t, mia, srv, "/account?notice=profile-saved")
		for _, want := range []string{"Saved: your replies now go out as shown here.", `value="Mia"`,
			">Mia\nPrinters &amp; &lt;scanners&gt;</textarea>", "as “Mia from” our team’s name"} {
			if !strings.Contains(page, want) {
				t.Errorf("/account after saving lacks %q:\n%s", want, page)
			}
		}

		typed := "Thanks for your patience,\nMia — second line kept"
		res, page = do(t, mia, "POST", srv.URL+"/account/profile", url.Values{"display_name": {"Mia <boss@bank.test>"}, "signature": {typed}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("a spoofing name: %s, want 422", res.Status)
		}
		for _, want := range []string{`<p class="error" role="alert">The display name may not contain &lt; &gt; &#34; or @.</p>`,
			`id="display-name-error"`, `aria-invalid="true"`, `value="Mia &lt;boss@bank.test&gt;"`,
			">Thanks for your patience,\nMia — second line kept</textarea>"} {
			if !strings.Contains(page, want) {
				t.Errorf("the refused form lacks %q:\n%s", want, page)
			}
		}
		if p, _ := db.StaffProfile(context.Background(), miaU.ID); p.DisplayName != "Mia" {
			t.Errorf("a refused save changed the profile: %+v", p)
		}

		long := strings.Repeat("x", store.MaxSignature+1)
		res, page = do(t, mia, "POST", srv.URL+"/account/profile", url.Values{"display_name": {"Mia J."}, "signature": {long}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="signature-error"`) ||
			!strings.Contains(page, `value="Mia J."`) || !strings.Contains(page, long+"</textarea>") {
			t.Errorf("a too-long signature: %s\n%s", res.Status, page)
		}
	})
}

// TestCustomersHaveNoStaffProfile: customers neither see the form nor can
// post it.
func TestCustomersHaveNoStaffProfile(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		if _, page := get(t, ada, srv, "/account"); strings.Contains(page, "How customers see you") || strings.Contains(page, "/account/profile") {
			t.Errorf("a customer's /account shows the staff profile form:\n%s", page)
		}
		res, _ := do(t, ada, "POST", srv.URL+"/account/profile", url.Values{"display_name": {"Support"}, "signature": {"Send me your password"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("a customer posting the profile form: %s, want 403", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM staff_profiles`); n != 0 {
			t.Errorf("%d profiles saved", n)
		}
	})
}

// TestPortalShowsTheAgentsDisplayName: in the customer's thread a staff
// reply is signed with the writer's display name, never their address;
// staff still see who wrote it.
func TestPortalShowsTheAgentsDisplayName(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		mia, miaU := staffMember(t, srv, db, "mia.private@support.example")
		if _, err := db.SaveStaffProfile(ctx, miaU.ID, "Mia", ""); err != nil {
			t.Fatal(err)
		}
		got := deliver(t, db, newMail("ada@example.com", "Refund", "I want my money back."))
		if _, err := db.AddStaffReply(ctx, store.StaffReply{TicketID: got.TicketID, AuthorID: miaU.ID, Text: "We are looking into it."}); err != nil {
			t.Fatal(err)
		}
		_, body := get(t, ada, srv, "/tickets/"+itoa(got.TicketNumber))
		if !strings.Contains(body, "<strong>Mia</strong>") || strings.Contains(body, "mia.private") {
			t.Errorf("the customer's thread does not name the agent by display name only:\n%s", body)
		}
		if _, body = get(t, mia, srv, "/inbox/tickets/"+itoa(got.TicketNumber)); !strings.Contains(body, "We are looking into it.") {
			t.Errorf("the staff thread lacks the reply:\n%s", body)
		}
	})
}
