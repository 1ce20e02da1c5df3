package web

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// savedIDRE finds a saved reply's edit link.
var savedIDRE = regexp.MustCompile(`/inbox/saved-replies/(\d+)/edit`)

// Staff make, list, search, edit and delete saved replies; a refused form
// keeps what was typed and names the unknown placeholder; personal replies
// are their owner's alone; a shared one is changed by its maker or an
// admin; customers and other sites are refused.
func TestSavedRepliesManage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		mia, _ := staffMember(t, srv, db, "mia@support.example")
		tom, _ := staffMember(t, srv, db, "tom@support.example")

		typed := url.Values{"title": {"Refund"}, "body": {"Hi {{customer.frist_name}}, refunded."}, "personal": {"0"},
			"status": {"resolved"}, "tags": {"billing"}}
		res, body := do(t, mia, "POST", srv.URL+"/inbox/saved-replies", typed)
		if res.StatusCode != 400 || !strings.Contains(html.UnescapeString(body), "{{customer.frist_name}} is not a placeholder Dargo knows") ||
			!strings.Contains(html.UnescapeString(body), "Hi {{customer.frist_name}}, refunded.") || !strings.Contains(body, `value="billing"`) {
			t.Fatalf("unknown placeholder: %s, named and kept: %v", res.Status, strings.Contains(body, "frist_name"))
		}
		typed.Set("body", "Hi {{customer.first_name}}, refunded.")
		res, _ = do(t, mia, "POST", srv.URL+"/inbox/saved-replies", typed)
		if res.StatusCode != 303 || res.Header.Get("Location") != "/inbox/saved-replies?notice=created" {
			t.Fatalf("create: %s %s", res.Status, res.Header.Get("Location"))
		}
		_, body = get(t, mia, srv, "/inbox/saved-replies?notice=created")
		if !strings.Contains(body, "Saved reply created.") || !strings.Contains(body, "set status resolved, add tag billing") {
			t.Error("the list does not say it was created, or what sending does")
		}
		shared := savedIDRE.FindStringSubmatch(body)[1]
		do(t, mia, "POST", srv.URL+"/inbox/saved-replies", url.Values{"title": {"Mia's secret"}, "body": {"Cheers"}, "personal": {"1"}})
		_, body = get(t, mia, srv, "/inbox/saved-replies?q=secret")
		if !strings.Contains(body, "Mia&#39;s secret") || strings.Contains(body, ">Refund<") {
			t.Error("search does not narrow the list")
		}
		personal := savedIDRE.FindStringSubmatch(body)[1]

		// Tom sees the shared one but cannot change it; Mia's personal one is not there for him.
		_, body = get(t, tom, srv, "/inbox/saved-replies")
		if !strings.Contains(body, "Refund") || strings.Contains(body, "secret") || strings.Contains(body, "/edit") {
			t.Error("Tom sees Mia's personal reply, or may edit her shared one")
		}
		for _, p := range []string{"/inbox/saved-replies/" + personal + "/edit", "/inbox/saved-replies/" + personal + "/delete"} {
			if res, _ := get(t, tom, srv, p); res.StatusCode != 404 {
				t.Errorf("Tom GET %s: %s", p, res.Status)
			}
		}
		if res, _ := do(t, tom, "POST", srv.URL+"/inbox/saved-replies/"+personal+"/delete", nil); res.StatusCode != 404 {
			t.Errorf("Tom deletes Mia's personal reply: %s", res.Status)
		}
		if res, _ := do(t, tom, "POST", srv.URL+"/inbox/saved-replies/"+shared, url.Values{"title": {"Mine"}, "body": {"x"}}); res.StatusCode != 403 {
			t.Errorf("Tom edits Mia's shared reply: %s", res.Status)
		}
		// A customer, and another site, are refused.
		ada := customer(t, srv, db, "ada@example.com")
		if res, _ := get(t, ada, srv, "/inbox/saved-replies"); res.StatusCode != 403 && res.StatusCode != 404 {
			t.Errorf("a customer lists saved replies: %s", res.Status)
		}
		if res, _ := do(t, ada, "POST", srv.URL+"/inbox/saved-replies", url.Values{"title": {"x"}, "body": {"y"}}); res.StatusCode != 403 && res.StatusCode != 404 {
			t.Errorf("a customer makes a saved reply: %s", res.Status)
		}
		if res, _ := do(t, mia, "POST", srv.URL+"/inbox/saved-replies/"+shared+"/delete", nil, "Sec-Fetch-Site", "cross-site"); res.StatusCode != 403 {
			t.Errorf("a cross-site delete: %s", res.Status)
		}

		// Mia edits (the form shows what is stored), then deletes after a confirmation page.
		_, body = get(t, mia, srv, "/inbox/saved-replies/"+shared+"/edit")
		if !strings.Contains(body, `<option selected>resolved</option>`) || !strings.Contains(html.UnescapeString(body), "Hi {{customer.first_name}}, refunded.") {
			t.Error("the edit form does not show the stored reply")
		}
		res, _ = do(t, mia, "POST", srv.URL+"/inbox/saved-replies/"+shared, url.Values{"title": {"Refund done"}, "body": {"Done."}, "personal": {"0"}})
		if res.Header.Get("Location") != "/inbox/saved-replies?notice=updated" {
			t.Errorf("update: %s %s", res.Status, res.Header.Get("Location"))
		}
		if _, body = get(t, mia, srv, "/inbox/saved-replies/"+shared+"/delete"); !strings.Contains(body, "Delete “Refund done”") {
			t.Error("no confirmation before deleting")
		}
		res, _ = do(t, mia, "POST", srv.URL+"/inbox/saved-replies/"+shared+"/delete", nil)
		if res.Header.Get("Location") != "/inbox/saved-replies?notice=deleted" {
			t.Errorf("delete: %s %s", res.Status, res.Header.Get("Location"))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action IN (?, ?, ?)`,
			store.AuditSavedReplyCreate, store.AuditSavedReplyUpdate, store.AuditSavedReplyDelete); n != 4 {
			t.Errorf("%d audit entries, want 4 (2 created, updated, deleted)", n)
		}
		boss, _ := admin(t, srv, db, "boss@support.example")
		if _, body = get(t, boss, srv, "/admin/audit"); !strings.Contains(body, "mia@support.example made shared saved reply "+shared) ||
			!strings.Contains(body, "mia@support.example deleted shared saved reply "+shared) {
			t.Error("the audit page does not say who made and deleted the saved reply")
		}
	})
}

// The composer's picker finds saved replies, previews one filled in for
// the ticket, and its Insert (the page without the script) puts the text
// after the draft; sending applies the actions and counts the use, or
// only counts it when the actions are unticked.
func TestSavedReplyCompose(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		mia, miaU := staffMember(t, srv, db, "mia@support.example")
		tom, _ := staffMember(t, srv, db, "tom@support.example")
		d := newMail("ada@example.com", "Invoice wrong", "Charged twice.")
		d.From.Name = "Ada Lovelace"
		got := deliver(t, db, d)
		page := "/inbox/tickets/" + itoa(got.TicketNumber)
		s, err := db.CreateSavedReply(ctx, miaU.ID, store.SavedReplyInput{Title: "Refund sent", Body: "Hi {{customer.first_name}}, ticket {{ticket.number}} is refunded.",
			Status: "resolved", Priority: "high", Tags: "billing", Personal: true})
		if err != nil {
			t.Fatal(err)
		}
		id := itoa(s.ID)

		_, body := get(t, mia, srv, page+"/saved-replies?q=REFUND&fragment=1")
		if !strings.HasPrefix(body, `<ul class="saved-list"`) || !strings.Contains(body, "Refund sent") {
			t.Errorf("the picker's list fragment: %s", body)
		}
		if _, body = get(t, mia, srv, page+"/saved-replies?q=nothing"); !strings.Contains(body, "No saved reply matches “nothing”") || !strings.Contains(body, "<h1>") {
			t.Error("the picker page without the script")
		}
		_, body = get(t, mia, srv, page+"/saved-replies/"+id)
		want := "Hi Ada, ticket " + itoa(got.TicketNumber) + " is refunded."
		if !strings.Contains(body, want) || !strings.Contains(body, "Sending will also: set status resolved, set priority high, add tag billing.") {
			t.Errorf("the preview does not read %q with its actions", want)
		}
		// Tom cannot preview or use Mia's personal reply.
		if res, _ := get(t, tom, srv, page+"/saved-replies/"+id); res.StatusCode != 404 {
			t.Errorf("Tom previews Mia's personal reply: %s", res.Status)
		}
		if _, body = get(t, tom, srv, page+"/saved-replies?q=refund&fragment=1"); strings.Contains(body, "Refund sent") {
			t.Error("Tom's picker lists Mia's personal reply")
		}

		// The button without the script keeps what was typed, then opens the picker page.
		res, _ := do(t, mia, "POST", srv.URL+page+"/reply", url.Values{"text": {"Typed before picking"}, "pick": {"saved"}, "last_message": {"0"}})
		if res.StatusCode != 303 || res.Header.Get("Location") != page+"/saved-replies" {
			t.Errorf("Saved replies without the script: %s %s", res.Status, res.Header.Get("Location"))
		}
		if _, body = get(t, mia, srv, page); !strings.Contains(body, ">Typed before picking</textarea>") {
			t.Error("the text typed before picking was not kept")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ?`, got.TicketID); n != 1 {
			t.Errorf("picking sent something: %d messages", n)
		}
		// Insert without the script: the text goes after the draft, which stays.
		if _, err := db.SaveDraft(ctx, store.Draft{UserID: miaU.ID, TicketID: got.TicketID, Kind: store.DraftReply, Text: "Thanks for waiting."}); err != nil {
			t.Fatal(err)
		}
		_, body = get(t, mia, srv, page+"?saved_reply="+id)
		if !strings.Contains(body, "Thanks for waiting.\n\n"+want) || !strings.Contains(body, `name="saved_reply" id="saved-reply-id" value="`+id+`"`) ||
			!strings.Contains(body, "Sending will also: <span id=\"saved-actions-text\">set status resolved, set priority high, add tag billing") ||
			!strings.Contains(body, "<option selected>resolved</option>") {
			t.Error("the inserted reply is not in the composer with its actions")
		}

		form := url.Values{"kind": {"reply"}, "text": {"Thanks for waiting.\n\n" + want}, "status": {"resolved"},
			"last_message": {lastMessage(t, body)}, "saved_reply": {id}, "saved_actions": {"1"}}
		if res, _ := do(t, mia, "POST", srv.URL+page+"/reply", form); res.StatusCode != 303 {
			t.Fatalf("send: %s", res.Status)
		}
		tk := ticket(t, db, got.TicketNumber)
		tags, _ := db.TicketTags(ctx, tk.ID)
		if tk.Status != "resolved" || tk.Priority != "high" || !slices.Equal(tags, []string{"billing"}) {
			t.Errorf("after sending: %s %s %q", tk.Status, tk.Priority, tags)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM messages WHERE ticket_id = ? AND kind = 'outbound' AND text LIKE ?`, tk.ID, "%Hi Ada%"); n != 1 {
			t.Errorf("%d replies with the text", n)
		}
		// Unticked: the use counts, the actions do not apply.
		_, body = get(t, mia, srv, page)
		form = url.Values{"kind": {"reply"}, "text": {"Once more."}, "status": {""}, "last_message": {lastMessage(t, body)}, "saved_reply": {id}}
		do(t, mia, "POST", srv.URL+page+"/reply", form)
		if again, _ := db.SavedReply(ctx, miaU.ID, s.ID); again.Uses != 2 {
			t.Errorf("uses = %d, want 2", again.Uses)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND ticket_id = ?`, store.AuditTicketChange, tk.ID); n != 2 {
			t.Errorf("%d ticket changes, want 2 (the reply's status, the other actions) from the first send only", n)
		}

		// Deleted between insert and send: the text is kept, nothing is sent.
		_, body = get(t, mia, srv, page)
		if err := db.DeleteSavedReply(ctx, miaU.ID, s.ID); err != nil {
			t.Fatal(err)
		}
		form = url.Values{"kind": {"reply"}, "text": {"Kept text"}, "last_message": {lastMessage(t, body)}, "saved_reply": {id}, "saved_actions": {"1"}}
		res, body = do(t, mia, "POST", srv.URL+page+"/reply", form)
		if res.StatusCode != 409 || !strings.Contains(body, "Kept text") || !strings.Contains(body, "deleted meanwhile") {
			t.Errorf("send with a deleted saved reply: %s", res.Status)
		}
		// A customer cannot reach the picker.
		ada := customer(t, srv, db, "ada@example.com")
		if res, _ := get(t, ada, srv, page+"/saved-replies"); res.StatusCode != 403 && res.StatusCode != 404 {
			t.Errorf("a customer opens the picker: %s", res.Status)
		}
	})
}
