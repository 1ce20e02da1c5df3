package web

import (
	"bufio"
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// admin makes addr an admin and signs them in in a new browser.
func admin(t *testing.T, srv *httptest.Server, db *store.DB, addr string) (*http.Client, *store.User) {
	t.Helper()
	u, err := db.SetRole(context.Background(), addr, store.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	c := browser(t)
	signIn(t, srv, db, c, addr)
	return c, u
}

var auditRowRE = regexp.MustCompile(`<tr id="audit-[0-9]+"><td data-label="When"><time [^>]*>[^<]*</time></td><td>([^<]*)</td><td data-label="Action"><a [^>]*><code>([a-z_]+)</code></a></td></tr>`)

// auditRows returns the action and sentence of each row of an audit page.
func auditRows(body string) (actions, sentences []string) {
	for _, m := range auditRowRE.FindAllStringSubmatch(body, -1) {
		actions, sentences = append(actions, m[2]), append(sentences, html.UnescapeString(m[1]))
	}
	return actions, sentences
}

// TestAdminAudit: admins read the audit log, filtered and in pages, and
// download all of it; nobody else can.
func TestAdminAudit(t *testing.T) {
	const generated = 1050 // more than a page of the page (100) and of the download (1000)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := privacyServer(t, db)
		boss, bossU := admin(t, srv, db, "boss@support.example")
		staff, _ := staffMember(t, srv, db, "sam@support.example")
		ada := customer(t, srv, db, "ada@example.com")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for i := range generated {
				if err := tx.Audit(ctx, store.Audit{ActorID: bossU.ID, Action: "test_page", UserID: bossU.ID, Detail: map[string]any{"n": i}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		total := count(t, db, `SELECT COUNT(*) FROM audit_log`)

		for _, tc := range []struct {
			name     string
			c        *http.Client
			status   int
			location string
		}{
			{"admin", boss, 200, ""},
			{"staff", staff, 403, ""},
			{"customer", ada, 403, ""},
			{"anonymous", browser(t), 303, "/login?next=%2Fadmin%2Faudit"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, body := get(t, tc.c, srv, "/admin/audit")
				if res.StatusCode != tc.status || res.Header.Get("Location") != tc.location {
					t.Errorf("GET /admin/audit: %s → %q", res.Status, res.Header.Get("Location"))
				}
				if tc.status == 403 && strings.Contains(body, "test_page") {
					t.Error("the refusal shows entries")
				}
				res, body = get(t, tc.c, srv, "/admin/audit.jsonl")
				if res.StatusCode != tc.status || (tc.status != 200 && strings.Contains(body, "test_page")) {
					t.Errorf("GET /admin/audit.jsonl: %s", res.Status)
				}
			})
		}

		_, body := get(t, boss, srv, "/admin/audit?action=login")
		actions, _ := auditRows(body)
		if len(actions) != 3 || strings.Count(strings.Join(actions, " "), "login") != 3 || nextLink(body) != "" {
			t.Errorf("action=login lists %q, want 3 logins and no next page", actions)
		}
		if _, body := get(t, boss, srv, "/admin/audit?action=nothing_like_this"); strings.Contains(body, `<tr id="audit-`) {
			t.Error("an unknown action lists entries")
		}

		// Every entry once, newest first, 100 a page.
		for _, filter := range []struct {
			action string
			want   int
		}{{"test_page", generated}, {"", total}} {
			t.Run("pages of "+filter.action, func(t *testing.T) {
				seen := map[string]bool{}
				var all []string
				page := "/admin/audit?action=" + filter.action
				pages := 0
				for page != "" {
					pages++
					res, body := get(t, boss, srv, page)
					actions, details := auditRows(body)
					if res.StatusCode != 200 || len(actions) == 0 || len(actions) > 100 {
						t.Fatalf("GET %s: %s, %d rows", page, res.Status, len(actions))
					}
					for i, a := range actions {
						if filter.action != "" && a != filter.action {
							t.Errorf("page %s lists %s", page, a)
						}
						if a == "test_page" {
							if seen[details[i]] {
								t.Errorf("%s listed twice", details[i])
							}
							seen[details[i]] = true
						}
					}
					all = append(all, actions...)
					page = nextLink(body)
					if pages > 20 {
						t.Fatal("the pages do not end")
					}
				}
				if len(all) != filter.want || len(seen) != generated || pages != (filter.want+99)/100 {
					t.Errorf("%d entries on %d pages (%d generated seen), want %d", len(all), pages, len(seen), filter.want)
				}
			})
		}
		_, body = get(t, boss, srv, "/admin/audit?action=test_page")
		if _, details := auditRows(body); len(details) != 100 || details[0] != `boss@support.example: test page, boss@support.example (n 1049).` ||
			details[99] != `boss@support.example: test page, boss@support.example (n 950).` {
			t.Errorf("first page is not the newest hundred: %q … %q", details[0], details[len(details)-1])
		}

		// The download streams every entry as a JSON line.
		for _, filter := range []struct {
			query string
			want  int
		}{{"", total}, {"?action=test_page", generated}, {"?action=login", 3}} {
			res, body := get(t, boss, srv, "/admin/audit.jsonl"+filter.query)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/x-ndjson" ||
				!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
				t.Fatalf("GET /admin/audit.jsonl%s: %s %v", filter.query, res.Status, res.Header)
			}
			var last int64
			lines := 0
			sc := bufio.NewScanner(strings.NewReader(body))
			for sc.Scan() {
				var e store.AuditEntry
				if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
					t.Fatalf("line %d: %v: %s", lines+1, err, sc.Text())
				}
				if e.ID == 0 || e.Action == "" || (last != 0 && e.ID >= last) {
					t.Errorf("line %d out of order or empty: %+v", lines+1, e)
				}
				last = e.ID
				lines++
			}
			if lines != filter.want {
				t.Errorf("%s: %d lines, want %d", filter.query, lines, filter.want)
			}
		}
		noAddressInAudit(t, db)
	})
}

// TestAuditHooks: what staff and people do is audited, by id, with the
// actor, and nothing in the detail names anybody.
func TestAuditHooks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := privacyServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		adaU := user(t, db, "ada@example.com")
		staff, sam := staffMember(t, srv, db, "sam@support.example")
		got := deliver(t, db, newMail("ada@example.com", "Broken", "It broke."))

		login := wantAudited(t, db, store.AuditLogin, adaU.ID, adaU.ID)
		if login.Detail != `{"role":"customer"}` {
			t.Errorf("login detail %q", login.Detail)
		}
		wantAudited(t, db, store.AuditLogin, sam.ID, sam.ID)
		if e := wantAudited(t, db, store.AuditRoleChange, 0, sam.ID); e.Detail != `{"role":"staff"}` {
			t.Errorf("role change detail %q", e.Detail)
		}

		path := "/inbox/tickets/" + itoa(got.TicketNumber)
		for _, tc := range []struct {
			action string
			post   func()
		}{
			{store.AuditTicketReply, func() {
				_, page := get(t, staff, srv, path)
				do(t, staff, "POST", srv.URL+path+"/reply", url.Values{"kind": {"reply"}, "text": {"Fixed."}, "status": {""}, "last_message": {lastMessage(t, page)}})
			}},
			{store.AuditTicketNote, func() {
				_, page := get(t, staff, srv, path)
				do(t, staff, "POST", srv.URL+path+"/reply", url.Values{"kind": {"note"}, "text": {"Hm."}, "last_message": {lastMessage(t, page)}})
			}},
			{store.AuditTicketChange, func() {
				do(t, staff, "POST", srv.URL+path+"/update", url.Values{"status": {"pending"}, "priority": {"high"}})
			}},
		} {
			t.Run(tc.action, func(t *testing.T) {
				tc.post()
				entries := audited(t, db, tc.action)
				if len(entries) != 1 || idOf(entries[0].ActorID) != sam.ID || idOf(entries[0].TicketID) != got.TicketID {
					t.Errorf("%s entries: %+v", tc.action, entries)
				}
			})
		}
		if e := audited(t, db, store.AuditTicketChange); len(e) == 1 && (!strings.Contains(e[0].Detail, `"status":"pending"`) || !strings.Contains(e[0].Detail, `"priority":"high"`)) {
			t.Errorf("ticket change detail %q", e[0].Detail)
		}
		// A change that changes nothing is not one.
		do(t, staff, "POST", srv.URL+path+"/update", url.Values{"status": {"pending"}})
		if n := len(audited(t, db, store.AuditTicketChange)); n != 1 {
			t.Errorf("ticket_change entries after a no-op = %d", n)
		}

		if res, _ := do(t, ada, "POST", srv.URL+"/logout/everywhere", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout everywhere: %s", res.Status)
		}
		if e := wantAudited(t, db, store.AuditLogout, adaU.ID, adaU.ID); e.Detail != `{"sessions":1}` {
			t.Errorf("logout detail %q", e.Detail)
		}

		kim, err := db.SetRole(ctx, "kim@support.example", store.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if e := wantAudited(t, db, store.AuditRoleChange, 0, kim.ID); e.Detail != `{"role":"admin"}` {
			t.Errorf("role change detail %q", e.Detail)
		}

		for range 2 {
			if err := db.Suppress(ctx, "Ada@Example.com", "hard bounce", "ses"); err != nil {
				t.Fatal(err)
			}
		}
		if e := wantAudited(t, db, store.AuditSuppress, 0, adaU.ID); e.Detail != `{"source":"ses"}` {
			t.Errorf("suppression detail %q", e.Detail)
		}
		if err := db.Suppress(ctx, "stranger@example.net", "complaint", "ses"); err != nil {
			t.Fatal(err)
		}
		if n := len(audited(t, db, store.AuditSuppress)); n != 2 {
			t.Errorf("suppression entries = %d, want 2", n)
		}
		noAddressInAudit(t, db)
	})
}
