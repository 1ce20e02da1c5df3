package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestInboxNoteMode: the composer has a note mode with its own label and
// button; a note never changes the status, whatever status is posted with
// it, and pressing "Add internal note" makes a note even if the reply radio
// was left on (as without the stylesheet, when both buttons show).
func TestInboxNoteMode(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		c, _ := staffMember(t, srv, db, "sam@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Broken export", "The CSV is empty."))
		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		_, page := get(t, c, srv, path)
		for _, want := range []string{
			`<input type="radio" id="kind-note" class="kind" name="kind" value="note">`,
			`<p class="note-only note-label">Internal note — customers never see this</p>`,
			`<button type="submit" class="note-only" name="send" value="note">Add internal note</button>`,
			`<button type="submit" class="reply-only" name="send" value="reply">Send reply</button>`,
			`<div class="row reply-only" id="then-status">`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the ticket page lacks %s", want)
			}
		}
		mails := func() int {
			return count(t, db, `SELECT COUNT(*) FROM emails WHERE kind = 'reply' AND ticket_id = ?`, got.TicketID)
		}
		tests := []struct {
			name string
			form url.Values
		}{
			{"note mode with a status", url.Values{"kind": {"note"}, "text": {"Note one."}, "status": {"resolved"}}},
			{"note button with the reply radio", url.Values{"kind": {"reply"}, "send": {"note"}, "text": {"Note two."}, "status": {"closed"}}},
			{"note with a status not in the list", url.Values{"kind": {"note"}, "send": {"note"}, "text": {"Note three."}, "status": {"bogus"}}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, page := get(t, c, srv, path)
				tc.form.Set("last_message", lastMessage(t, page))
				res, _ := postMultipart(t, c, srv.URL+path+"/reply", tc.form)
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("POST reply: %s", res.Status)
				}
				msgs := thread(t, db, got.TicketID)
				if m := msgs[len(msgs)-1]; m.Kind != "note" || m.VisibleText != tc.form.Get("text") {
					t.Errorf("last message %s %q, want the note", m.Kind, m.VisibleText)
				}
				if st := ticket(t, db, got.TicketNumber).Status; st != "open" {
					t.Errorf("a note set the status to %q", st)
				}
				if n := mails(); n != 0 {
					t.Errorf("a note queued %d reply mails", n)
				}
				if n := count(t, db, `SELECT COUNT(*) FROM activity WHERE ticket_id = ? AND kind = 'status'`, got.TicketID); n != 0 {
					t.Errorf("a note recorded %d status changes", n)
				}
			})
		}

		// A note sent back with an error stays in note mode, text kept.
		res, body := postMultipart(t, c, srv.URL+path+"/reply", url.Values{"kind": {"reply"}, "send": {"note"}, "text": {strings.Repeat("x", maxTextBytes+1)}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="note" checked`) {
			t.Errorf("a refused note: %s, note mode kept: %v", res.Status, strings.Contains(body, `value="note" checked`))
		}
	})
}
