package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestInboxRows: a row previews the last message, says how long the
// customer has waited, and is marked unread until the viewer opens the
// ticket; a search result marks the words that matched, escaping the rest.
func TestInboxRows(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		clk := withClock(db)
		srv := deskServer(t, db)
		sam, _ := staffMember(t, srv, db, "sam@support.example")
		kim, _ := staffMember(t, srv, db, "kim@support.example")
		n := itoa(deliver(t, db, newMail("ada@example.com", "Toner", "The <b>toner</b> cartridge\nleaks everywhere.")).TicketNumber)
		clk.Add(3*time.Hour + 10*time.Minute)

		_, body := get(t, sam, srv, "/inbox")
		for _, want := range []string{`<tr class="ticket-row unread">`, `<span class="sr-only">Unread: </span>`,
			`<div class="row-line preview">The &lt;b&gt;toner&lt;/b&gt; cartridge leaks everywhere.</div>`} {
			if !strings.Contains(body, want) {
				t.Errorf("inbox lacks %s", want)
			}
		}
		// The wall clock says how long: the ticket came at the test clock's
		// time, so only the word is checked here (waitingFor has its own test).
		if !strings.Contains(body, `class="tag tag-waiting"`) {
			t.Error("inbox lacks the waiting tag")
		}

		get(t, sam, srv, "/inbox/tickets/"+n)
		if _, body = get(t, sam, srv, "/inbox"); strings.Contains(body, "unread") {
			t.Error("still unread for sam after he opened it")
		}
		if _, body = get(t, kim, srv, "/inbox"); !strings.Contains(body, `ticket-row unread`) {
			t.Error("read for kim, who never opened it")
		}

		_, body = get(t, sam, srv, "/inbox?q=cartridge")
		if !strings.Contains(body, `<div class="row-line snippet"><span class="sr-only">Matched: </span>The &lt;b&gt;toner&lt;/b&gt; <mark>cartridge</mark> leaks everywhere.`) {
			t.Errorf("search result lacks the marked snippet:\n%s", body)
		}
		_, body = get(t, sam, srv, "/inbox?q=toner")
		if !strings.Contains(body, `"><mark>Toner</mark></a>`) {
			t.Error("a subject match is not marked in the subject")
		}
		_, body = get(t, sam, srv, "/inbox?q=ada")
		if !strings.Contains(body, `<td><mark>ada</mark>@example.com</td>`) {
			t.Error("a customer match is not marked in the customer column")
		}
	})
}

func TestWaitingFor(t *testing.T) {
	for d, want := range map[time.Duration]string{
		10 * time.Second: "1 min", 12 * time.Minute: "12 min", 3*time.Hour + 59*time.Minute: "3 h",
		47 * time.Hour: "47 h", 50 * time.Hour: "2 d",
	} {
		if got := waitingFor(d); got != want {
			t.Errorf("waitingFor(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestLongThreadShowEarlier: staff and customers see a long thread's
// latest 50 messages and a link to earlier ones, which works without
// JavaScript and keeps the reader's place.
func TestLongThreadShowEarlier(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		sam, _ := staffMember(t, srv, db, "sam@support.example")
		ada := customer(t, srv, db, "ada@example.com")
		got := deliver(t, db, newMail("ada@example.com", "Long", "message 1 of the thread"))
		n := itoa(got.TicketNumber)
		for i := 2; i <= 60; i++ {
			d := newMail("ada@example.com", "Long", "message "+itoa(int64(i))+" of the thread")
			d.TicketID = got.TicketID
			deliver(t, db, d)
		}
		for _, tc := range []struct {
			c    *http.Client
			path string
		}{{sam, "/inbox/tickets/" + n}, {ada, "/tickets/" + n}} {
			_, body := get(t, tc.c, srv, tc.path)
			if strings.Contains(body, "message 10 of the thread") || !strings.Contains(body, "message 11 of the thread") ||
				!strings.Contains(body, "message 60 of the thread") || !strings.Contains(body, "(10 not shown)") {
				t.Errorf("%s does not show exactly the latest 50 and a count of the 10 earlier", tc.path)
			}
			link := tc.path + "?show=100#m"
			if !strings.Contains(body, `<a href="`+link) {
				t.Fatalf("%s lacks a Show earlier link %s…", tc.path, link)
			}
			_, body = get(t, tc.c, srv, tc.path+"?show=100")
			if !strings.Contains(body, "message 1 of the thread") || strings.Contains(body, "Show earlier") {
				t.Errorf("%s?show=100 does not show the whole thread", tc.path)
			}
		}
	})
}

// TestFailCancelled: a request its client gave up on is logged at INFO,
// not as an error.
func TestFailCancelled(t *testing.T) {
	var buf strings.Builder
	p := &pages{log: slog.New(slog.NewTextHandler(&buf, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("GET", "/inbox", nil).WithContext(ctx)
	p.fail(httptest.NewRecorder(), r, context.Canceled)
	if strings.Contains(buf.String(), "level=ERROR") || !strings.Contains(buf.String(), "level=INFO") {
		t.Errorf("a cancelled request logged %q", buf.String())
	}
	buf.Reset()
	p.fail(httptest.NewRecorder(), httptest.NewRequest("GET", "/inbox", nil), errors.New("disk on fire"))
	if !strings.Contains(buf.String(), "level=ERROR") {
		t.Errorf("a failure logged %q", buf.String())
	}
}
