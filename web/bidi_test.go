package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// TestPortalNewTicketStripsBidi: the repro through the portal: a
// subject and a file name with a right-to-left override are stored
// without it, so "evil\u202egpj.html" reads as the .html it is.
func TestPortalNewTicketStripsBidi(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		res, body := postMultipart(t, ada, srv.URL+"/tickets", url.Values{"subject": {"Invoice \u202efdp.exe"},
			"description": {"See the file."}, "priority": {"normal"}, "category": {"general"}},
			upload{name: "evil\u202egpj.html", data: []byte("<p>hi</p>")})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /tickets: %s\n%s", res.Status, body)
		}
		tk := ticket(t, db, 1)
		if tk.Subject != "Invoice fdp.exe" {
			t.Errorf("ticket subject %q", tk.Subject)
		}
		msgs := thread(t, db, tk.ID)
		if len(msgs) != 1 || len(msgs[0].Attachments) != 1 || msgs[0].Attachments[0].Filename != "evilgpj.html" {
			t.Fatalf("thread %+v", msgs)
		}
	})
}

// TestBroadcastSubjectStripsBidi: an admin's broadcast subject goes out
// without bidi controls too.
func TestBroadcastSubjectStripsBidi(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := newServer(t, db, testRedis(t), Opts{})
		if _, err := db.SetRole(ctx, "admin@example.com", "admin"); err != nil {
			t.Fatal(err)
		}
		admin := browser(t)
		signIn(t, srv, db, admin, "admin@example.com")
		form := url.Values{"subject": {"Policy \u2067changed\u2069"}, "body": {"We changed it."}, "confirm": {"yes"}}
		if res, body := do(t, admin, "POST", srv.URL+"/admin/broadcasts", form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST: %s\n%s", res.Status, body)
		}
		b, err := db.Broadcast(ctx, 1)
		if err != nil || b.Subject != "Policy changed" {
			t.Fatalf("broadcast %+v, %v", b, err)
		}
	})
}

func TestCleanFilename(t *testing.T) {
	tests := map[string]string{
		"evil\u202egpj.html":       "evilgpj.html",
		"a\u2066b\u2069\u200f.pdf": "ab.pdf",
		"..\\..\\boot.ini":         "boot.ini",
		"quote\".txt":              "quote_.txt",
		"\u202e":                   "file",
		"Rechnung März.pdf":        "Rechnung März.pdf",
		"عربي\u200c.txt":           "عربي\u200c.txt",
		"line\nbreak\u0000.txt":    "line_break_.txt",
		"../\u202e/../etc/passwd":  "passwd",
	}
	for in, want := range tests {
		if got := cleanFilename(in); got != want {
			t.Errorf("cleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}
