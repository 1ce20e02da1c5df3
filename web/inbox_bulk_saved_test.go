package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestInboxBulkSavedReply: the bulk bar offers the saved replies with
// actions the viewer may use; the confirmation names them and what mail
// goes; applying changes every ticket and the list says so; someone
// else's personal reply is refused with the selection kept.
func TestInboxBulkSavedReply(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := newServer(t, db, testRedis(t), Opts{Categories: testCategories})
		c, sam := staffMember(t, srv, db, "sam@support.example")
		bobc, _ := staffMember(t, srv, db, "bob@support.example")
		var numbers []string
		for i := range 20 {
			d := deliver(t, db, newMail(fmt.Sprintf("c%d@example.com", i), fmt.Sprintf("Bulk %d", i), "help"))
			numbers = append(numbers, itoa(d.TicketNumber))
		}
		mine, err := db.CreateSavedReply(ctx, sam.ID, store.SavedReplyInput{Title: "Close out", Body: "Bye {{customer.first_name|there}}",
			Status: "resolved", Tags: "done", Personal: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateSavedReply(ctx, sam.ID, store.SavedReplyInput{Title: "Just text", Body: "Hello"}); err != nil {
			t.Fatal(err)
		}
		_, list := get(t, c, srv, "/inbox")
		if !strings.Contains(list, `<option value="saved_reply">`) || !strings.Contains(list, ">Close out</option>") ||
			strings.Contains(list, ">Just text</option>") {
			t.Errorf("the bulk bar does not offer exactly the saved replies with actions")
		}
		form := url.Values{"ticket": numbers, "action": {"saved_reply"}, "saved_reply": {itoa(mine.ID)}, "do": {"bulk"}}
		res, page := do(t, c, "POST", srv.URL+"/inbox/bulk", form)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "Apply the actions of “Close out” (set status resolved, add tag done), not its text</strong> on 20 tickets") ||
			!strings.Contains(page, "The people on 20 tickets will get the resolved mail") {
			t.Fatalf("confirmation: %s\n%s", res.Status, page)
		}
		confirmed := page
		// Bob may not apply Sam's personal reply: refused, selection kept.
		res, page = do(t, bobc, "POST", srv.URL+"/inbox/bulk", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "not yours to use") ||
			!strings.Contains(page, `name="ticket" value="`+numbers[19]+`"`) {
			t.Errorf("bob's bulk with sam's reply: %s", res.Status)
		}
		// Apply carries the version confirmed; a change since is refused.
		version := regexp.MustCompile(`name="saved_version" value="([^"]+)"`).FindStringSubmatch(confirmed)
		if version == nil {
			t.Fatal("the confirmation carries no saved reply version")
		}
		form.Set("saved_version", "stale")
		if res, page := do(t, c, "POST", srv.URL+"/inbox/bulk/apply", form); res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(page, "changed since you confirmed") {
			t.Errorf("applying a changed saved reply: %s", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets WHERE status = 'resolved'`); n != 0 {
			t.Fatalf("a refused apply resolved %d tickets", n)
		}
		form.Set("saved_version", version[1])
		res, _ = do(t, c, "POST", srv.URL+"/inbox/bulk/apply", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("apply: %s", res.Status)
		}
		_, list = get(t, c, srv, res.Header.Get("Location"))
		if !strings.Contains(list, "Applied the saved reply&#39;s actions on 20 tickets.") {
			t.Errorf("the list does not say what happened: %s", res.Header.Get("Location"))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM tickets WHERE status = 'resolved'`); n != 20 {
			t.Errorf("resolved tickets = %d, want 20", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM ticket_tags`); n != 20 {
			t.Errorf("tagged tickets = %d, want 20", n)
		}
	})
}
