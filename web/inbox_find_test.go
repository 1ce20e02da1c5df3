package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestInboxSearchByNumber: a search that is only a ticket number, with or
// without '#', opens that ticket; a number no ticket has is searched as text.
func TestInboxSearchByNumber(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		c, _ := staffMember(t, srv, db, "sam@support.example")
		n := itoa(deliver(t, db, newMail("ada@example.com", "Printer", "It jams.")).TicketNumber)
		deliver(t, db, newMail("ada@example.com", "Order 98765", "Where is it?"))
		for _, q := range []string{n, "%23" + n, "+%23" + n + "+"} {
			res, _ := get(t, c, srv, "/inbox?queue=pending&q="+q)
			if res.StatusCode != 303 || res.Header.Get("Location") != "/inbox/tickets/"+n {
				t.Errorf("q=%s: %s → %q, want 303 → /inbox/tickets/%s", q, res.Status, res.Header.Get("Location"), n)
			}
		}
		res, body := get(t, c, srv, "/inbox?q=98765")
		if got := listed(body); res.StatusCode != 200 || len(got) != 1 || got[0] != "Order 98765" {
			t.Errorf("q=98765: %s, listed %q", res.Status, got)
		}
		res, body = get(t, c, srv, "/inbox?q=%23"+n+"x")
		if res.StatusCode != 200 || !strings.Contains(body, "No tickets here.") {
			t.Errorf("q=#%sx is not a number, yet: %s", n, res.Status)
		}
	})
}

// TestInboxTabCounts: each queue's tab shows how many tickets it holds for
// the viewer; "all" shows none.
func TestInboxTabCounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		sam, samUser := staffMember(t, srv, db, "sam@support.example")
		kim, kimUser := staffMember(t, srv, db, "kim@support.example")
		inboxFixture(t, db, samUser, kimUser)
		for _, tc := range []struct {
			c    *http.Client
			want []string
		}{
			{sam, []string{`aria-current="page">open <span class="count">2</span></a>`, `>pending <span class="count">2</span></a>`,
				`>mine <span class="count">2</span></a>`, `>unassigned <span class="count">2</span></a>`, `<a href="/inbox?queue=all">all</a>`}},
			{kim, []string{`>mine <span class="count">1</span></a>`}},
		} {
			_, body := get(t, tc.c, srv, "/inbox")
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("inbox lacks %s", want)
				}
			}
		}
	})
}
