package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// Staff forward a message to a third party: a participant is refused with
// the typed note kept, the forward shows under the message with its note,
// the answer shows to staff as a note marked as the forward's and never to
// the customer; customers and cross-site posts cannot forward.
func TestInboxForward(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := deskServer(t, db)
		c, _ := staffMember(t, srv, db, "sam@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Fuser broken", "The fuser is broken."))
		page := "/inbox/tickets/" + itoa(got.TicketNumber)
		msg := itoa(got.MessageID)

		_, body := get(t, c, srv, page)
		if !strings.Contains(body, `action="`+page+`/forward#m`+msg+`"`) || !strings.Contains(body, `<summary>Forward</summary>`) {
			t.Fatal("the message has no Forward form")
		}
		res, body := do(t, c, "POST", srv.URL+page+"/forward", url.Values{"message": {msg}, "to": {"Ada@example.com"}, "note": {"Can you help?"}})
		if res.StatusCode != 400 || !strings.Contains(body, "ada@example.com takes part in this ticket") || !strings.Contains(body, "Can you help?</textarea>") ||
			!strings.Contains(body, `value="Ada@example.com"`) || !strings.Contains(body, `<details class="forward" open>`) {
			t.Errorf("a forward to the customer: %s", res.Status)
		}
		ada := customer(t, srv, db, "ada@example.com")
		form := url.Values{"message": {msg}, "to": {"parts@supplier.test"}, "note": {"Do you have a fuser?"}}
		if res, _ := do(t, ada, "POST", srv.URL+page+"/forward", form); res.StatusCode != 403 && res.StatusCode != 404 {
			t.Errorf("a customer forwarded: %s", res.Status)
		}
		if res, _ := do(t, c, "POST", srv.URL+page+"/forward", form, "Sec-Fetch-Site", "cross-site"); res.StatusCode != 403 {
			t.Errorf("a cross-site forward: %s", res.Status)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM forwards`); n != 0 {
			t.Fatalf("%d forwards before the good post", n)
		}
		res, _ = do(t, c, "POST", srv.URL+page+"/forward", form)
		if res.StatusCode != 303 || res.Header.Get("Location") != page+"?notice=forwarded#m"+msg {
			t.Fatalf("forward: %s %s", res.Status, res.Header.Get("Location"))
		}
		_, body = get(t, c, srv, res.Header.Get("Location"))
		for _, want := range []string{"Forwarded; the mail is queued.", "Forwarded to <strong>parts@supplier.test</strong> by sam@support.example", "“Do you have a fuser?”"} {
			if !strings.Contains(body, want) {
				t.Errorf("the ticket page lacks %q", want)
			}
		}
		fwds, err := db.Forwards(ctx, got.TicketID)
		if err != nil || len(fwds) != 1 {
			t.Fatalf("forwards %+v %v", fwds, err)
		}
		if _, err := db.RecordForwardAnswer(ctx, store.ForwardAnswer{TicketNumber: got.TicketNumber, ForwardID: fwds[0].ID,
			From: store.Person{Email: "parts@supplier.test"}, Text: "Three in stock.", VisibleText: "Three in stock."}); err != nil {
			t.Fatal(err)
		}
		_, body = get(t, c, srv, page)
		if !strings.Contains(body, "Reply from parts@supplier.test to forward") || !strings.Contains(body, "Three in stock.") || !strings.Contains(body, "1 answer below as notes") {
			t.Error("staff do not see the answer as the forward's note")
		}
		_, body = get(t, ada, srv, "/tickets/"+itoa(got.TicketNumber))
		if strings.Contains(body, "Three in stock.") || strings.Contains(body, "parts@supplier.test") || strings.Contains(body, "Forward") {
			t.Error("the customer sees the forward or its answer")
		}
	})
}
