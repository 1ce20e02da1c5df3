package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound"
	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// heldMailRaw is a mail over heldLimit whose text is hostile: HTML that
// must show as text, and a bidi override that must not show at all.
func heldMailRaw(from, subject string) []byte {
	return []byte("From: " + from + "\r\nTo: support@localhost\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject + "@evil.test>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Open <script>alert(1)</script><b>now</b> invoice\u202egpj.exe " + strings.Repeat("padding words ", 200) + "\r\n")
}

const heldLimit = 2000

func TestAdminHeldMail(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := inbound.NewPipeline(db, inbound.Opts{MailDomain: "localhost", Secret: testSecret, MaxMailBytes: heldLimit,
			Logger: slog.New(slog.DiscardHandler)})
		srv := newServer(t, db, testRedis(t), Opts{Held: func(ctx context.Context, id int64, raw []byte, rec *store.InboundMail) (string, *int64, error) {
			res, err := p.Release(ctx, id, raw, rec)
			return res.Action, res.Ticket, err
		}})
		clients := map[string]*http.Client{}
		for _, who := range []string{"customer", "staff", "admin"} {
			addr := who + "@example.com"
			if who != "customer" {
				if _, err := db.SetRole(ctx, addr, who); err != nil {
					t.Fatal(err)
				}
			}
			clients[who] = browser(t)
			signIn(t, srv, db, clients[who], addr)
		}
		big, err := p.Ingest(ctx, heldMailRaw("Mallory <mallory@evil.test>", "too-big"),
			inbound.Envelope{Sender: "mallory@evil.test", Recipients: []string{"support@localhost"}})
		if err != nil || big.Action != store.ActionQuarantined {
			t.Fatalf("too large: %+v, %v", big, err)
		}
		virus, err := p.Ingest(ctx, []byte("From: eve@evil.test\r\nSubject: virus\r\n\r\nan attachment\r\n"),
			inbound.Envelope{Sender: "eve@evil.test", Recipients: []string{"support@localhost"}, Verdicts: inbound.Verdicts{Virus: "FAIL"}})
		if err != nil || virus.Action != store.ActionQuarantined {
			t.Fatalf("virus: %+v, %v", virus, err)
		}
		ids := map[string]int64{}
		for _, s := range []string{"mallory@evil.test", "eve@evil.test"} {
			var id int64
			if err := db.X.Get(&id, db.X.Rebind(`SELECT id FROM inbound_mail WHERE sender = ?`), s); err != nil {
				t.Fatal(err)
			}
			ids[s] = id
		}
		release := srv.URL + "/admin/held/" + itoa(ids["mallory@evil.test"]) + "/release"
		del := srv.URL + "/admin/held/" + itoa(ids["eve@evil.test"]) + "/delete"

		// Admins only.
		if res, _ := do(t, browser(t), "GET", srv.URL+"/admin/held", nil); res.StatusCode != http.StatusSeeOther {
			t.Errorf("anonymous: %s", res.Status)
		}
		for _, who := range []string{"customer", "staff"} {
			for _, req := range []struct{ method, url string }{{"GET", srv.URL + "/admin/held"}, {"POST", release}, {"POST", del}} {
				if res, _ := do(t, clients[who], req.method, req.url, nil); res.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s %s: %s", who, req.method, req.url, res.Status)
				}
			}
			if _, body := do(t, clients[who], "GET", srv.URL+"/account", nil); strings.Contains(body, `href="/admin/held"`) {
				t.Errorf("%s sees the link to the page", who)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM inbound_mail WHERE status = 'quarantined'`); n != 2 {
			t.Fatalf("refused requests changed held mail: %d held", n)
		}

		admin := clients["admin"]
		res, body := do(t, admin, "GET", srv.URL+"/admin/held", nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `<a href="/admin/held">Held mail</a>`) {
			t.Fatalf("admin GET: %s\n%s", res.Status, body)
		}
		for _, want := range []string{"mallory@evil.test", "support@localhost", "exceeds DARGO_MAX_MAIL_BYTES (2000)",
			"SES virus verdict FAIL", "eve@evil.test", "<strong>too-big</strong>",
			"Open &lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;now&lt;/b&gt; invoicegpj.exe padding", "…", "KB"} {
			if !strings.Contains(body, want) {
				t.Errorf("the list lacks %q", want)
			}
		}
		for _, bad := range []string{"<script>alert", "<b>now", "\u202e"} {
			if strings.Contains(body, bad) {
				t.Errorf("the list has %q", bad)
			}
		}
		if strings.Index(body, "eve@evil.test") > strings.Index(body, "mallory@evil.test") {
			t.Errorf("not newest first")
		}

		// Release: the mail is processed as the CLI's release does, and makes a ticket.
		res, _ = do(t, admin, "POST", release, nil)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/held?notice=created&ticket=") {
			t.Fatalf("release: %s %s", res.Status, loc)
		}
		rec, err := db.InboundMail(ctx, ids["mallory@evil.test"])
		if err != nil || rec.Status != "processed" || rec.Action != store.ActionCreated || rec.TicketID == nil {
			t.Fatalf("released mail: %+v, %v", rec, err)
		}
		ticket, err := db.Ticket(ctx, *rec.TicketID)
		if err != nil || ticket.Subject != "too-big" || loc != "/admin/held?notice=created&ticket="+itoa(ticket.Number) {
			t.Fatalf("ticket %+v, %v; redirected to %s", ticket, err, loc)
		}
		if _, body := do(t, admin, "GET", srv.URL+loc, nil); !strings.Contains(body, "Released: the mail opened a new ticket.") ||
			!strings.Contains(body, `<a href="/inbox/tickets/`+itoa(ticket.Number)+`">`) || strings.Contains(body, "mallory@evil.test") {
			t.Errorf("after release:\n%s", body)
		}
		if res, _ := do(t, admin, "POST", release, nil); res.Header.Get("Location") != "/admin/held?notice=gone" {
			t.Errorf("second release: %s %s", res.Status, res.Header.Get("Location"))
		}

		// Delete: the bytes go, the row stays as the record.
		res, _ = do(t, admin, "POST", del, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/held?notice=deleted" {
			t.Fatalf("delete: %s %s", res.Status, res.Header.Get("Location"))
		}
		rec, err = db.InboundMail(ctx, ids["eve@evil.test"])
		if err != nil || rec.Status != "processed" || rec.Action != store.HeldDeleted || rec.BlobKey != "" || rec.Sender != "" {
			t.Fatalf("deleted mail: %+v, %v", rec, err)
		}
		if _, err := db.InboundRaw(ctx, rec); err == nil {
			t.Errorf("the deleted mail's bytes are still readable")
		}
		if res, _ := do(t, admin, "POST", del, nil); res.Header.Get("Location") != "/admin/held?notice=gone" {
			t.Errorf("second delete: %s %s", res.Status, res.Header.Get("Location"))
		}
		if _, body := do(t, admin, "GET", srv.URL+"/admin/held?notice=deleted", nil); !strings.Contains(body, "Deleted: the mail&#39;s bytes are gone") ||
			!strings.Contains(body, "No mail is held.") {
			t.Errorf("after delete:\n%s", body)
		}

		// Audited: by the admin's id, no addresses.
		adminUser, err := db.UserByEmail(ctx, "admin@example.com")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			action string
			ticket *int64
			id     int64
		}{{store.AuditHeldRelease, &ticket.ID, ids["mallory@evil.test"]}, {store.AuditHeldDelete, nil, ids["eve@evil.test"]}} {
			entries, err := db.AuditLog(ctx, store.AuditQuery{Action: c.action})
			if err != nil || len(entries) != 1 {
				t.Fatalf("%s: %+v, %v", c.action, entries, err)
			}
			e := entries[0]
			if e.ActorID == nil || *e.ActorID != adminUser.ID || strings.Contains(e.Detail, "@") ||
				!strings.Contains(e.Detail, `"inbound_mail":`+itoa(c.id)) || (c.ticket != nil) != (e.TicketID != nil) ||
				(c.ticket != nil && *e.TicketID != *c.ticket) {
				t.Errorf("%s audit: %+v", c.action, e)
			}
		}
	})
}

func TestHeldPreview(t *testing.T) {
	for _, c := range []struct {
		name, raw, subject, preview string
	}{
		{"html only", "Subject: Hi\r\nContent-Type: text/html\r\n\r\n<p>Hello <img src=x onerror=alert(1)>there</p>", "Hi", "Hello there"},
		{"no header break", "garbage \u202ewith\x00 controls", "", "garbage with controls"},
		{"invalid utf-8", "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbad \xff byte", "x", "bad"},
	} {
		t.Run(c.name, func(t *testing.T) {
			subject, preview := heldPreview([]byte(c.raw))
			if subject != c.subject || !strings.HasPrefix(preview, c.preview) || strings.ContainsAny(preview, "\u202e\x00<") {
				t.Errorf("got %q, %q; want %q, %q…", subject, preview, c.subject, c.preview)
			}
		})
	}
}
