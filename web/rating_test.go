package web

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/ratelink"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// resolvedForRating is carol's ticket, resolved by staff mia, on a server
// whose database runs on clk.
func resolvedForRating(t *testing.T, db *store.DB) (srv *httptest.Server, clk *clock, tk *store.Ticket, carol *store.User, staff *http.Client) {
	t.Helper()
	clk = withClock(db)
	srv = deskServer(t, db)
	got := deliver(t, db, newMail("carol@example.com", "Printer jams", "It jams."))
	staff, mia := staffMember(t, srv, db, "mia@example.com")
	if err := db.ChangeTicket(context.Background(), store.Change{TicketID: got.TicketID, ActorID: mia.ID, Status: "resolved"}); err != nil {
		t.Fatal(err)
	}
	carol, err := db.UserByEmail(context.Background(), "carol@example.com")
	if err != nil {
		t.Fatal(err)
	}
	return srv, clk, ticket(t, db, got.TicketNumber), carol, staff
}

// rateToken signs a rating link under the tests' secret, working a month.
func rateToken(t *testing.T, clk *clock, ticketID, userID int64, rating string) string {
	t.Helper()
	tok, err := ratelink.Rate(testSecret, ticketID, userID, rating, clk.Now().Add(ratelink.TTL))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

var commentTokenRe = regexp.MustCompile(`name="ct" value="([^"]+)"`)

func TestRatingLink(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv, clk, tk, carol, staff := resolvedForRating(t, db)
		good := rateToken(t, clk, tk.ID, carol.ID, "good")
		anon := browser(t)
		ratings := func() int { return count(t, db, `SELECT COUNT(*) FROM ratings`) }
		audits := func() int { return count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, store.AuditRating) }

		// Opening the link (what a mail scanner does) records nothing.
		res, body := get(t, anon, srv, "/rate/"+good)
		if res.StatusCode != 200 || !strings.Contains(body, "Send rating: Good") || !strings.Contains(body, "data-rate-auto") {
			t.Fatalf("GET: %s\n%s", res.Status, body)
		}
		if res.Header.Get("Referrer-Policy") != "no-referrer" || res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET headers: %v", res.Header)
		}
		if n := ratings(); n != 0 {
			t.Fatalf("a GET recorded %d ratings", n)
		}
		// The page's POST records it; the same again (a replay) changes nothing.
		for range 2 {
			res, _ = do(t, anon, "POST", srv.URL+"/rate/"+good, url.Values{})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/rate/"+good+"?done=rated" {
				t.Fatalf("POST: %s %s", res.Status, res.Header.Get("Location"))
			}
		}
		if ratings() != 1 || audits() != 1 || count(t, db, `SELECT COUNT(*) FROM activity WHERE kind = 'rating'`) != 1 {
			t.Errorf("after a replay: %d ratings, %d audit entries", ratings(), audits())
		}
		res, body = get(t, anon, srv, "/rate/"+good+"?done=rated")
		if !strings.Contains(body, "your rating was recorded") || !strings.Contains(body, "You rated this request") || strings.Contains(body, "data-rate-auto") {
			t.Fatalf("thanks page: %s\n%s", res.Status, body)
		}
		ct := commentTokenRe.FindStringSubmatch(body)
		if ct == nil {
			t.Fatalf("no comment form:\n%s", body)
		}

		// The comment: saved, and shown escaped to staff.
		comment := `<script>alert(1)</script> Thanks & bye`
		res, _ = do(t, anon, "POST", srv.URL+"/rate/"+good+"/comment", url.Values{"ct": {ct[1]}, "comment": {comment}})
		if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?done=comment") {
			t.Fatalf("comment: %s", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM ratings WHERE comment = ?`, comment); n != 1 {
			t.Errorf("the comment was not saved")
		}
		_, body = get(t, staff, srv, "/inbox/tickets/"+itoa(tk.Number))
		for _, want := range []string{"Rated good", "&lt;script&gt;alert(1)&lt;/script&gt; Thanks &amp; bye", "Customer rated good", "Customer commented on their rating"} {
			if !strings.Contains(body, want) {
				t.Errorf("staff page lacks %q", want)
			}
		}
		if strings.Contains(body, "<script>alert(1)") {
			t.Error("the comment is not escaped on the staff page")
		}

		// A comment form that is forged, too old or too long saves nothing
		// and keeps what was typed.
		res, _ = do(t, anon, "POST", srv.URL+"/rate/"+good+"/comment", url.Values{"ct": {"forged"}, "comment": {"x"}})
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("forged comment form: %s", res.Status)
		}
		other, _ := ratelink.Comment(testSecret, tk.ID+1, carol.ID, clk.Now().Add(time.Hour))
		res, _ = do(t, anon, "POST", srv.URL+"/rate/"+good+"/comment", url.Values{"ct": {other}, "comment": {"x"}})
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("another ticket's comment form: %s", res.Status)
		}
		long := strings.Repeat("a", store.MaxRatingComment+1)
		res, body = do(t, anon, "POST", srv.URL+"/rate/"+good+"/comment", url.Values{"ct": {ct[1]}, "comment": {long}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, long) || !strings.Contains(body, "longer than") {
			t.Errorf("a long comment: %s", res.Status)
		}
		clk.Add(ratelink.CommentTTL + time.Second)
		res, body = do(t, anon, "POST", srv.URL+"/rate/"+good+"/comment", url.Values{"ct": {ct[1]}, "comment": {"typed late"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "typed late") || !strings.Contains(body, "open too long") {
			t.Errorf("an expired comment form: %s\n%s", res.Status, body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM ratings WHERE comment = ?`, comment); n != 1 {
			t.Error("a refused comment changed the saved one")
		}

		// Another link changes the rating; the portal shows it to carol.
		bad := rateToken(t, clk, tk.ID, carol.ID, "bad")
		if res, _ = do(t, anon, "POST", srv.URL+"/rate/"+bad, url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("change: %s", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM ratings WHERE rating = 'bad'`); n != 1 || ratings() != 1 || audits() != 3 {
			t.Errorf("after the change: %d bad, %d ratings, %d audit entries", n, ratings(), audits())
		}
		_, body = get(t, staff, srv, "/inbox/tickets/"+itoa(tk.Number))
		if !strings.Contains(body, "Customer changed their rating from good to bad") {
			t.Error("staff history lacks the change")
		}
		_, body = get(t, customer(t, srv, db, "carol@example.com"), srv, "/tickets/"+itoa(tk.Number))
		if !strings.Contains(body, "You rated this:") || !strings.Contains(body, `rate-bad">bad</strong>`) || strings.Count(body, `action="/rate/`) != 3 {
			t.Errorf("portal page lacks the rating:\n%s", body)
		}
	})
}

func TestRatingLinkRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv, clk, tk, carol, _ := resolvedForRating(t, db)
		anon := browser(t)
		good := rateToken(t, clk, tk.ID, carol.ID, "good")
		check := func(name, token string, status int, says string) {
			t.Helper()
			for _, method := range []string{"GET", "POST"} {
				res, body := do(t, anon, method, srv.URL+"/rate/"+token, url.Values{})
				if res.StatusCode != status || !strings.Contains(body, says) {
					t.Errorf("%s, %s: %s, want %d %q", name, method, res.Status, status, says)
				}
			}
			if n := count(t, db, `SELECT COUNT(*) FROM ratings`) + count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, store.AuditRating); n != 0 {
				t.Fatalf("%s recorded something", name)
			}
		}
		// Each field edited: the token is sealed, so editing any byte of
		// the nonce, the label, the ticket, the person, the rating, the
		// expiry or the tag breaks it.
		plain := "dargo-rate-v1|rate|" + itoa(tk.ID) + "|" + itoa(carol.ID) + "|good|"
		raw, _ := base64.RawURLEncoding.DecodeString(good)
		fields := map[string]int{"nonce": 0, "label": 12, "kind": 12 + 14, "ticket": 12 + 19,
			"user": 12 + len("dargo-rate-v1|rate|"+itoa(tk.ID)+"|"), "rating": 12 + len(plain) - 5,
			"expiry": 12 + len(plain) + 2, "tag": len(raw) - 1}
		for name, at := range fields {
			b := append([]byte(nil), raw...)
			b[at] ^= 0x02
			check(name+" edited", base64.RawURLEncoding.EncodeToString(b), http.StatusBadRequest, "not valid")
		}
		otherSecret, _ := ratelink.Rate("another-secret", tk.ID, carol.ID, "good", clk.Now().Add(time.Hour))
		check("another secret", otherSecret, http.StatusBadRequest, "not valid")
		asComment, _ := ratelink.Comment(testSecret, tk.ID, carol.ID, clk.Now().Add(time.Hour))
		check("a comment token", asComment, http.StatusBadRequest, "not valid")
		check("garbage", "hello", http.StatusBadRequest, "not valid")
		// A valid link posted from another site (a page that would rate
		// for someone) is refused like every cross-site form.
		if res, _ := do(t, anon, "POST", srv.URL+"/rate/"+good, url.Values{}, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST: %s, want 403", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM ratings`); n != 0 {
			t.Fatal("a cross-site POST recorded a rating")
		}

		// Someone on Cc has no rating of another's ticket.
		bob, err := db.AddParticipant(context.Background(), tk.ID, 0, store.Person{Email: "bob@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		check("a Cc's link", rateToken(t, clk, tk.ID, bob.UserID, "good"), http.StatusGone, "no longer available")

		// Expired: the link worked a month, then is refused.
		clk.Add(ratelink.TTL)
		check("expired", good, http.StatusGone, "has expired")

		// The customer erased: the ticket is no longer available.
		fresh := rateToken(t, clk, tk.ID, carol.ID, "okay")
		if _, err := db.Erase(context.Background(), carol.ID, store.EraseOpts{}); err != nil {
			t.Fatal(err)
		}
		check("erased", fresh, http.StatusGone, "no longer available")
	})
}

func TestRatingAuditSentence(t *testing.T) {
	ada, ticketID := int64(3), int64(9)
	names := &store.AuditNames{Users: map[int64]store.User{ada: {ID: ada, Email: "ada@example.com", Name: "Ada"}}, Tickets: map[int64]int64{ticketID: 12}}
	e := store.AuditEntry{ActorID: &ada, UserID: &ada, TicketID: &ticketID, Action: store.AuditRating}
	for _, tc := range []struct {
		detail map[string]any
		want   string
	}{
		{map[string]any{"rating": "good", "from": ""}, "Ada rated #12 good"},
		{map[string]any{"rating": "bad", "from": "good"}, "Ada rated #12 bad (was good)"},
		{map[string]any{"comment": float64(12)}, "Ada commented on their rating of #12"},
	} {
		if got := auditSentence(e, tc.detail, names); got != tc.want {
			t.Errorf("auditSentence(%v) = %q, want %q", tc.detail, got, tc.want)
		}
	}
}
