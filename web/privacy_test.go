package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// privacyReplyTo is the reply address the privacy tests' exports carry.
func privacyReplyTo(n int64) string { return fmt.Sprintf("support+%d@dargo.test", n) }

// privacyServer serves the web tier with the test categories and a reply
// address for exports.
func privacyServer(t *testing.T, db *store.DB) *httptest.Server {
	t.Helper()
	return newServer(t, db, testRedis(t), Opts{Categories: testCategories, ReplyTo: privacyReplyTo})
}

var privacyLinkRE = regexp.MustCompile(`https?://\S+(/account/(?:email|erase)/confirm)\?token=([A-Za-z0-9_-]{43})`)

// linkSubject is the subject of the mail that carries each confirm link.
var linkSubject = map[string]string{
	"/account/email/confirm": "Confirm your new email address",
	"/account/erase/confirm": "Confirm erasing your data",
}

// privacyLink delivers the queued mail and returns the confirm link of the
// path in the newest mail to addr, and its token.
func privacyLink(t *testing.T, db *store.DB, addr, path string) (link, token string) {
	t.Helper()
	m := deliverMail(t, db, testSecret, addr)
	match := privacyLinkRE.FindStringSubmatch(m.Text)
	if match == nil || match[1] != path {
		t.Fatalf("no %s link in the mail to %s:\n%s", path, addr, m.Text)
	}
	if m.Subject != linkSubject[path] || !strings.Contains(m.HTML, path+"?token="+match[2]) {
		t.Errorf("the mail with the %s link: subject %q, HTML without the link:\n%s", path, m.Subject, m.HTML)
	}
	return match[0], match[2]
}

// user reads a user back by address.
func user(t *testing.T, db *store.DB, addr string) *store.User {
	t.Helper()
	u, err := db.UserByEmail(context.Background(), addr)
	if err != nil {
		t.Fatalf("user %s: %v", addr, err)
	}
	return u
}

// audited returns the audit entries of the action, newest first.
func audited(t *testing.T, db *store.DB, action string) []store.AuditEntry {
	t.Helper()
	entries, err := db.AuditLog(context.Background(), store.AuditQuery{Action: action, Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// idOf is an audit entry's actor or user id, 0 for none.
func idOf(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// wantAudited checks that exactly one entry of the action names actor and
// user, and returns it.
func wantAudited(t *testing.T, db *store.DB, action string, actor, userID int64) store.AuditEntry {
	t.Helper()
	var found []store.AuditEntry
	for _, e := range audited(t, db, action) {
		if idOf(e.ActorID) == actor && idOf(e.UserID) == userID {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s entries by #%d about #%d = %d, want 1 (all: %+v)", action, actor, userID, len(found), audited(t, db, action))
	}
	return found[0]
}

// noAddressInAudit fails when any audit entry's detail holds an address.
func noAddressInAudit(t *testing.T, db *store.DB) {
	t.Helper()
	all := audited(t, db, "")
	if len(all) == 0 {
		t.Fatal("the audit log is empty")
	}
	for _, e := range all {
		if strings.Contains(e.Detail, "@") {
			t.Errorf("audit entry %d (%s) holds an address: %s", e.ID, e.Action, e.Detail)
		}
	}
}

// findAnywhere searches every table but SQLite's full-text index tables
// (left to findInSearchIndex) for s; it returns where, or "".
func findAnywhere(t *testing.T, db *store.DB, s string) string {
	t.Helper()
	return testdb.FindAnywhere(t, db, s, testdb.NotSearchIndex)
}

// findInSearchIndex searches SQLite's full-text index tables for s.
func findInSearchIndex(t *testing.T, db *store.DB, s string) string {
	t.Helper()
	return testdb.FindAnywhere(t, db, s, testdb.SearchIndex)
}

// exportJSON is the export as the download encodes it.
func exportJSON(t *testing.T, db *store.DB, addr string) string {
	t.Helper()
	doc, err := db.Export(context.Background(), addr, privacyReplyTo)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// unzip reads every file of a ZIP archive.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = data
	}
	return out
}

// wantDownload checks a response is a download of the content type.
func wantDownload(t *testing.T, res *http.Response, contentType string) {
	t.Helper()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != contentType ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("download: %s %v", res.Status, res.Header)
	}
}

// TestAccountExport: a customer downloads what the store exports for them,
// as JSON and as a ZIP with the files of their tickets but not those of
// internal notes; each download is audited.
func TestAccountExport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		sam, _ := staffMember(t, srv, db, "sam@support.example")
		scan := []byte("%PDF-1.4\nAda's receipt\n%%EOF\n")
		res, _ := postMultipart(t, ada, srv.URL+"/tickets", url.Values{"subject": {"Refund please"}, "description": {"Charged twice."},
			"priority": {"normal"}, "category": {"billing"}}, upload{"receipt.pdf", scan})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /tickets: %s", res.Status)
		}
		deliver(t, db, newMail("ada@example.com", "Second question", "By mail this time."))
		tk := ticket(t, db, 1)
		path := "/inbox/tickets/1"
		for _, f := range []struct {
			kind, text string
			file       upload
		}{
			{"reply", "Refunded, see the note attached.", upload{"credit-note.txt", []byte("credit 42 EUR")}},
			{"note", "Staff only: she was charged by the old system.", upload{"internal.txt", []byte("staff trace")}},
		} {
			_, page := get(t, sam, srv, path)
			res, _ := postMultipart(t, sam, srv.URL+path+"/reply", url.Values{"kind": {f.kind}, "text": {f.text},
				"last_message": {lastMessage(t, page)}}, f.file)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST %s: %s", f.kind, res.Status)
			}
		}
		u := user(t, db, "ada@example.com")

		res, body := get(t, ada, srv, "/account/export")
		wantDownload(t, res, "application/json")
		if want := exportJSON(t, db, "ada@example.com"); body != want {
			t.Errorf("download differs from db.Export:\n%s\nwant\n%s", body, want)
		}
		var doc store.Export
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatal(err)
		}
		var numbers []int64
		var texts []string
		var ids []int64
		for _, et := range doc.Tickets {
			numbers = append(numbers, et.Number)
			for _, m := range et.Messages {
				ids, texts = append(ids, m.ID), append(texts, m.Text)
			}
		}
		var wantIDs []int64
		var wantTexts []string
		for _, n := range []int64{1, 2} {
			for _, m := range thread(t, db, ticket(t, db, n).ID) {
				if m.Kind != "note" {
					wantIDs, wantTexts = append(wantIDs, m.ID), append(wantTexts, m.VisibleText)
				}
			}
		}
		if !slices.Equal(numbers, []int64{1, 2}) || !slices.Equal(ids, wantIDs) || !slices.Equal(texts, wantTexts) ||
			doc.User.Email != "ada@example.com" || doc.Tickets[0].ReplyTo != privacyReplyTo(1) {
			t.Errorf("export: tickets %v, messages %v %q; want %v %q", numbers, ids, texts, wantIDs, wantTexts)
		}
		if strings.Contains(body, "Staff only") || strings.Contains(body, "internal.txt") {
			t.Error("the export shows an internal note")
		}
		if e := wantAudited(t, db, store.AuditExport, u.ID, u.ID); e.Detail != `{"format":"json"}` {
			t.Errorf("export audit detail %q", e.Detail)
		}

		res, body = get(t, ada, srv, "/account/export.zip")
		wantDownload(t, res, "application/zip")
		files := unzip(t, []byte(body))
		if string(files["data.json"]) != exportJSON(t, db, "ada@example.com") {
			t.Errorf("data.json differs from db.Export:\n%s", files["data.json"])
		}
		msgs := thread(t, db, tk.ID)
		want := map[string][]byte{
			"data.json": files["data.json"],
			fmt.Sprintf("files/%d/receipt.pdf", msgs[0].ID):     scan,
			fmt.Sprintf("files/%d/credit-note.txt", msgs[1].ID): []byte("credit 42 EUR"),
		}
		if msgs[2].Kind != "note" || len(files) != len(want) {
			t.Errorf("ZIP holds %d files, want %d: %v", len(files), len(want), slices.Collect(maps.Keys(files)))
		}
		for name, data := range want {
			if !bytes.Equal(files[name], data) {
				t.Errorf("%s = %q, want %q", name, files[name], data)
			}
		}
		if e := audited(t, db, store.AuditExport); len(e) != 2 || e[0].Detail != `{"format":"zip"}` || idOf(e[0].ActorID) != u.ID {
			t.Errorf("zip export audit: %+v", e)
		}
		noAddressInAudit(t, db)
	})
}

// TestAccountName: the customer corrects their own name; too long a name
// changes nothing; the audit entry does not repeat the name.
func TestAccountName(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		res, _ := do(t, ada, "POST", srv.URL+"/account/name", url.Values{"name": {"  Ada Lovelace "}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account?notice=name-saved#name" {
			t.Fatalf("POST /account/name: %s → %q", res.Status, res.Header.Get("Location"))
		}
		u := user(t, db, "ada@example.com")
		if u.Name != "Ada Lovelace" {
			t.Errorf("name %q", u.Name)
		}
		if _, body := get(t, ada, srv, "/account?notice=name-saved"); !strings.Contains(body, `value="Ada Lovelace"`) ||
			!strings.Contains(body, `<p class="notice" role="status">Saved: your name is now “Ada Lovelace”.</p>`) {
			t.Errorf("account page does not show the name and that it was saved:\n%s", body)
		}
		res, body := do(t, ada, "POST", srv.URL+"/account/name", url.Values{"name": {strings.Repeat("é", 101)}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "too long") {
			t.Errorf("too long a name: %s\n%s", res.Status, body)
		}
		if res, _ := do(t, ada, "POST", srv.URL+"/account/name", url.Values{"name": {strings.Repeat("é", 100)}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("100 characters: %s", res.Status)
		}
		if got := user(t, db, "ada@example.com").Name; got != strings.Repeat("é", 100) {
			t.Errorf("name after the refused change %q", got)
		}
		entries := audited(t, db, store.AuditNameChange)
		if len(entries) != 2 || idOf(entries[0].ActorID) != u.ID || idOf(entries[0].UserID) != u.ID {
			t.Fatalf("name_change entries: %+v", entries)
		}
		for _, e := range entries {
			if strings.Contains(e.Detail, "Ada") || strings.Contains(e.Detail, "é") {
				t.Errorf("the audit log holds the name: %q", e.Detail)
			}
		}
		if res, _ := do(t, browser(t), "POST", srv.URL+"/account/name", url.Values{"name": {"Eve"}}); res.StatusCode != http.StatusSeeOther ||
			res.Header.Get("Location") != "/login" {
			t.Errorf("anonymous name change: %s → %q", res.Status, res.Header.Get("Location"))
		}
	})
}

// TestEmailChange: the link goes to the new address only; opening it
// changes nothing; confirming moves the account, tickets and session
// included, once; links of one purpose open nothing else.
func TestEmailChange(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		n := deliver(t, db, newMail("ada@example.com", "My ticket", "Keep it.")).TicketNumber
		u := user(t, db, "ada@example.com")
		oldMails := count(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'ada@example.com'`)

		res, body := do(t, ada, "POST", srv.URL+"/account/email", url.Values{"email": {"Ada.New@Example.org"}})
		if res.StatusCode != 200 || !strings.Contains(body, "Check your new inbox") {
			t.Fatalf("POST /account/email: %s\n%s", res.Status, body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'ada.new@example.org' AND kind = 'magic_link'
			AND subject = 'Confirm your new email address'`); n != 1 {
			t.Errorf("confirmation mails to the new address = %d, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = 'ada@example.com'`); n != oldMails {
			t.Errorf("mails to the old address went from %d to %d", oldMails, n)
		}
		link, token := privacyLink(t, db, "ada.new@example.org", "/account/email/confirm")
		if !strings.HasPrefix(link, srv.URL+"/account/email/confirm?token=") {
			t.Errorf("link %q", link)
		}

		// Opening the link, even twice, changes nothing.
		for range 2 {
			res, body = do(t, browser(t), "GET", link, nil)
			if res.StatusCode != 200 || !strings.Contains(body, "ada.new@example.org") || !strings.Contains(body, `id="confirm"`) ||
				res.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Fatalf("GET confirm page: %s\n%s", res.Status, body)
			}
		}
		if got := user(t, db, "ada@example.com"); got.ID != u.ID {
			t.Fatalf("opening the link changed the address")
		}

		// The link is not a sign-in link.
		other := browser(t)
		for _, method := range []string{"GET", "POST"} {
			res, _ := do(t, other, method, srv.URL+"/login/confirm?token="+token, url.Values{"token": {token}})
			if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusGone {
				t.Errorf("%s /login/confirm with an address-change link: %s", method, res.Status)
			}
			if len(res.Cookies()) != 0 {
				t.Errorf("%s /login/confirm with an address-change link set %v", method, res.Header["Set-Cookie"])
			}
		}
		// Nor is a sign-in link an address-change link.
		do(t, other, "POST", srv.URL+"/login", url.Values{"email": {"bob@example.com"}})
		_, signInToken := tokenFromMail(t, db, "bob@example.com")
		for _, method := range []string{"GET", "POST"} {
			if res, _ := do(t, other, method, srv.URL+"/account/email/confirm?token="+signInToken, url.Values{"token": {signInToken}}); res.StatusCode != http.StatusNotFound {
				t.Errorf("%s /account/email/confirm with a sign-in link: %s", method, res.Status)
			}
		}
		if res, _ := do(t, other, "POST", srv.URL+"/account/email/confirm", url.Values{"token": {"short"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("garbage token: %s", res.Status)
		}

		res, body = do(t, browser(t), "POST", srv.URL+"/account/email/confirm", url.Values{"token": {token}})
		if res.StatusCode != 200 || !strings.Contains(body, "ada.new@example.org") {
			t.Fatalf("POST confirm: %s\n%s", res.Status, body)
		}
		got, err := db.UserByID(context.Background(), u.ID)
		if err != nil || got.Email != "ada.new@example.org" {
			t.Fatalf("user after the change: %+v, %v", got, err)
		}
		// Every session ended with the change: Ada signs in again with the
		// new address and finds her ticket.
		if res, _ := get(t, ada, srv, "/account"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("ada's session after the change: %s", res.Status)
		}
		signIn(t, srv, db, ada, "ada.new@example.org")
		if res, _ := get(t, ada, srv, "/tickets/"+itoa(n)); res.StatusCode != 200 {
			t.Errorf("ada's own ticket after the change: %s", res.Status)
		}
		if _, body := get(t, ada, srv, "/account"); !strings.Contains(body, "ada.new@example.org") {
			t.Errorf("account page after the change:\n%s", body)
		}
		wantAudited(t, db, store.AuditEmailChange, u.ID, u.ID)

		res, body = do(t, browser(t), "POST", srv.URL+"/account/email/confirm", url.Values{"token": {token}})
		if res.StatusCode != http.StatusGone || !strings.Contains(body, "already been used") {
			t.Errorf("second confirm: %s\n%s", res.Status, body)
		}
		if n := len(audited(t, db, store.AuditEmailChange)); n != 1 {
			t.Errorf("email_change entries = %d, want 1", n)
		}
		// The old address is free again: signing in with it makes a new account.
		do(t, other, "POST", srv.URL+"/login", url.Values{"email": {"ada@example.com"}})
		_, fresh := tokenFromMail(t, db, "ada@example.com")
		do(t, other, "POST", srv.URL+"/login/confirm", url.Values{"token": {fresh}})
		if again := user(t, db, "ada@example.com"); again.ID == u.ID {
			t.Error("the old address still names the moved account")
		}
		if res, _ := get(t, other, srv, "/tickets/"+itoa(n)); res.StatusCode != http.StatusNotFound {
			t.Errorf("the old address reaches the moved account's ticket: %s", res.Status)
		}
		noAddressInAudit(t, db)
	})
}

// TestEmailChangeToATakenAddress: confirming an address another account
// has changes nothing on either.
func TestEmailChangeToATakenAddress(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		customer(t, srv, db, "bob@example.com")
		do(t, ada, "POST", srv.URL+"/account/email", url.Values{"email": {"bob@example.com"}})
		_, token := privacyLink(t, db, "bob@example.com", "/account/email/confirm")
		res, body := do(t, browser(t), "POST", srv.URL+"/account/email/confirm", url.Values{"token": {token}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Another account already uses this address") {
			t.Errorf("confirm a taken address: %s\n%s", res.Status, body)
		}
		ids := map[string]int64{}
		for _, addr := range []string{"ada@example.com", "bob@example.com"} {
			ids[addr] = user(t, db, addr).ID
		}
		if ids["ada@example.com"] == ids["bob@example.com"] || len(audited(t, db, store.AuditEmailChange)) != 0 {
			t.Errorf("the refused change changed something: %v", ids)
		}
		if _, body := get(t, ada, srv, "/account"); !strings.Contains(body, "ada@example.com") {
			t.Errorf("ada's account page:\n%s", body)
		}
	})
}

// TestPrivacyLinksExpire: address-change and erase links work for 15
// minutes, then change nothing.
func TestPrivacyLinksExpire(t *testing.T) {
	for _, tc := range []struct {
		ask, email, to, path string
	}{
		{"/account/email", "ada@example.org", "ada@example.org", "/account/email/confirm"},
		{"/account/erase", "", "ada@example.com", "/account/erase/confirm"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				clk := withClock(db)
				srv := privacyServer(t, db)
				ada := customer(t, srv, db, "ada@example.com")
				do(t, ada, "POST", srv.URL+tc.ask, url.Values{"email": {tc.email}})
				link, token := privacyLink(t, db, tc.to, tc.path)
				clk.Add(TokenTTL - time.Second)
				if res, _ := do(t, ada, "GET", link, nil); res.StatusCode != 200 {
					t.Errorf("link dead before 15 minutes: %s", res.Status)
				}
				clk.Add(time.Second)
				res, body := do(t, ada, "GET", link, nil)
				if res.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
					t.Errorf("GET expired link: %s\n%s", res.Status, body)
				}
				res, body = do(t, ada, "POST", srv.URL+tc.path, url.Values{"token": {token}, "block": {"1"}})
				if res.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
					t.Errorf("POST expired link: %s\n%s", res.Status, body)
				}
				u := user(t, db, "ada@example.com")
				if u.ErasedAt != nil || len(audited(t, db, store.AuditEmailChange))+len(audited(t, db, store.AuditErase)) != 0 {
					t.Errorf("an expired link changed the account: %+v", u)
				}
			})
		})
	}
}

// TestEmailChangeRefusesBadAddresses: only a plain address is accepted.
func TestEmailChangeRefusesBadAddresses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		before := count(t, db, `SELECT COUNT(*) FROM emails`)
		for _, addr := range []string{"", "not an address", "Eve <eve@example.com>", strings.Repeat("a", 250) + "@example.com"} {
			if res, _ := do(t, ada, "POST", srv.URL+"/account/email", url.Values{"email": {addr}}); res.StatusCode != http.StatusBadRequest {
				t.Errorf("%q: %s", addr, res.Status)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails`); n != before {
			t.Errorf("refused addresses queued %d mails", n-before)
		}
	})
}

// TestEraseByTheCustomer: a customer asks to be erased, confirms by the
// mailed link, and nothing of them is left; the address cannot sign in
// again and is told nothing different.
func TestEraseByTheCustomer(t *testing.T) {
	const addr, name, word = "zephyrine.q@example.org", "Zephyrine Quillfeather", "flibbertigibbet"
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		zee := customer(t, srv, db, addr)
		staff, _ := staffMember(t, srv, db, "sam@support.example")
		do(t, zee, "POST", srv.URL+"/account/name", url.Values{"name": {name}})
		res, _ := postMultipart(t, zee, srv.URL+"/tickets", url.Values{"subject": {"My " + word + " is stuck"},
			"description": {"The " + word + " will not turn."}, "priority": {"normal"}, "category": {"general"}},
			upload{"photo.png", append(pngBytes(t), []byte(word)...)})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /tickets: %s", res.Status)
		}
		_, page := get(t, staff, srv, "/inbox/tickets/1")
		postMultipart(t, staff, srv.URL+"/inbox/tickets/1/reply", url.Values{"kind": {"reply"},
			// Erasure replaces the whole name and the address; a first name
			// alone would stay (TestEraseScrubsTheRealNameAndAddress).
			"text": {"Hello " + name + ", we will send " + addr + " a new part."}, "last_message": {lastMessage(t, page)}})
		deliverMail(t, db, testSecret, addr)
		u := user(t, db, addr)

		// Staff are removed by an admin, not by themselves.
		res, body := do(t, staff, "POST", srv.URL+"/account/erase", url.Values{})
		if res.StatusCode != http.StatusForbidden || count(t, db, `SELECT COUNT(*) FROM login_tokens WHERE purpose = 'erase'`) != 0 {
			t.Errorf("staff asking to be erased: %s\n%s", res.Status, body)
		}
		if _, body := get(t, staff, srv, "/account"); strings.Contains(body, `action="/account/erase"`) {
			t.Error("staff are offered the erase form")
		}
		if _, body := get(t, zee, srv, "/account"); !strings.Contains(body, `action="/account/erase"`) {
			t.Error("customers are not offered the erase form")
		}

		res, body = do(t, zee, "POST", srv.URL+"/account/erase", url.Values{})
		if res.StatusCode != 200 || !strings.Contains(body, "Check your email") {
			t.Fatalf("POST /account/erase: %s\n%s", res.Status, body)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = ? AND subject = 'Confirm erasing your data'`, addr); n != 1 {
			t.Errorf("erase confirmation mails = %d, want 1", n)
		}
		link, token := privacyLink(t, db, addr, "/account/erase/confirm")
		res, body = do(t, zee, "GET", link, nil)
		if res.StatusCode != 200 || !strings.Contains(body, addr) || !strings.Contains(body, `name="block"`) || !strings.Contains(body, `id="confirm"`) {
			t.Fatalf("GET erase confirm page: %s\n%s", res.Status, body)
		}
		if got, _ := db.UserByID(context.Background(), u.ID); got.ErasedAt != nil {
			t.Fatal("opening the link erased the account")
		}
		if res, _ := do(t, browser(t), "POST", srv.URL+"/login/confirm", url.Values{"token": {token}}); res.StatusCode != http.StatusNotFound || len(res.Cookies()) != 0 {
			t.Errorf("erase link at /login/confirm: %s", res.Status)
		}
		if res, _ := do(t, browser(t), "POST", srv.URL+"/account/email/confirm", url.Values{"token": {token}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("erase link at /account/email/confirm: %s", res.Status)
		}

		res, body = do(t, zee, "POST", srv.URL+"/account/erase/confirm", url.Values{"token": {token}, "block": {"1"}})
		if res.StatusCode != 200 || !strings.Contains(body, "Your data is erased") {
			t.Fatalf("POST erase confirm: %s\n%s", res.Status, body)
		}
		if strings.Contains(body, addr) || !strings.Contains(body, `<a href="/login">Sign in</a>`) {
			t.Errorf("the page after erasure still shows the erased address, or no Sign in, in its header:\n%s", body)
		}
		if ck := sessionCookie(t, res); ck.MaxAge >= 0 || ck.Value != "" {
			t.Errorf("session cookie not cleared: %+v", ck)
		}
		res, _ = get(t, zee, srv, "/account")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("GET /account after erasure: %s → %q", res.Status, res.Header.Get("Location"))
		}
		got, err := db.UserByID(context.Background(), u.ID)
		if err != nil || got.ErasedAt == nil || got.Name != "" || strings.Contains(got.Email, "zephyrine") {
			t.Errorf("user after erasure: %+v, %v", got, err)
		}
		if blocked, err := db.IsBlocked(context.Background(), "Zephyrine.Q@example.org"); err != nil || !blocked {
			t.Errorf("not blocked: %v", err)
		}
		for _, trace := range []string{"ephyrine", "uillfeather", word} {
			if where := findAnywhere(t, db, trace); where != "" {
				t.Errorf("%q still in %s", trace, where)
			}
		}
		wantAudited(t, db, store.AuditErasureAsk, u.ID, u.ID)
		if e := wantAudited(t, db, store.AuditErase, u.ID, u.ID); !strings.Contains(e.Detail, `"blocked":true`) {
			t.Errorf("erase audit detail %q", e.Detail)
		}

		// The link is spent, and its row erased with the rest of the
		// person's data: it is now a link that never was.
		res, _ = do(t, browser(t), "POST", srv.URL+"/account/erase/confirm", url.Values{"token": {token}, "block": {"1"}})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("second erase confirm: %s, want 404", res.Status)
		}
		if n := len(audited(t, db, store.AuditErase)); n != 1 {
			t.Errorf("erase entries = %d, want 1", n)
		}

		// The address is blocked: the same answer, no mail.
		queued := count(t, db, `SELECT COUNT(*) FROM outbox`)
		res, _ = do(t, browser(t), "POST", srv.URL+"/login", url.Values{"email": {addr}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login/sent" {
			t.Errorf("POST /login for an erased address: %s → %q", res.Status, res.Header.Get("Location"))
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox`); n != queued || count(t, db, `SELECT COUNT(*) FROM emails WHERE to_email = ?`, addr) != 0 {
			t.Error("a sign-in link was queued for a blocked address")
		}
		// Staff still see the ticket, anonymously.
		_, page = get(t, staff, srv, "/inbox/tickets/1")
		if !strings.Contains(page, "Erased user") || strings.Contains(page, word) || strings.Contains(page, "Zephyrine") {
			t.Errorf("the ticket after erasure:\n%s", page)
		}
		noAddressInAudit(t, db)
	})
}

// TestStaffCustomerPage: staff see a customer, download their data, correct
// their name and erase them on request; nobody else can.
func TestStaffCustomerPage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		staff, sam := staffMember(t, srv, db, "sam@support.example")
		deliver(t, db, newMail("ada@example.com", "Printer on fire", "Help."))
		deliver(t, db, newMail("ada@example.com", "Invoice missing", "Where?"))
		deliver(t, db, newMail("bob@example.com", "Bob's own", "Not Ada's."))
		adaU := user(t, db, "ada@example.com")
		page := "/inbox/customers/" + itoa(adaU.ID)

		res, body := get(t, staff, srv, page)
		if res.StatusCode != 200 || !strings.Contains(body, "ada@example.com") ||
			!slices.Equal(listed(body), []string{"#2 Invoice missing", "#1 Printer on fire"}) {
			t.Fatalf("GET %s: %s, tickets %q", page, res.Status, listed(body))
		}
		for _, tc := range []struct {
			who    *http.Client
			method string
			path   string
			status int
		}{
			{ada, "GET", page, 403},
			{ada, "GET", page + "/export", 403},
			{ada, "POST", page + "/name", 403},
			{ada, "POST", page + "/erase", 403},
			{staff, "GET", "/inbox/customers/" + itoa(sam.ID), 404},
			{staff, "GET", "/inbox/customers/" + itoa(sam.ID) + "/export", 404},
			{staff, "POST", "/inbox/customers/" + itoa(sam.ID) + "/erase", 404},
			{staff, "GET", "/inbox/customers/99999", 404},
			{staff, "GET", "/inbox/customers/nope", 404},
		} {
			res, _ := do(t, tc.who, tc.method, srv.URL+tc.path, url.Values{"name": {"Eve"}, "confirm": {"erase"}})
			if res.StatusCode != tc.status {
				t.Errorf("%s %s: %s, want %d", tc.method, tc.path, res.Status, tc.status)
			}
		}
		if got, _ := db.UserByID(context.Background(), sam.ID); got.ErasedAt != nil || got.Name != "" {
			t.Fatalf("a refused request changed the staff member: %+v", got)
		}
		if len(audited(t, db, store.AuditExport))+len(audited(t, db, store.AuditNameChange))+len(audited(t, db, store.AuditErase)) != 0 {
			t.Fatal("refused requests were audited as done")
		}

		res, body = get(t, staff, srv, page+"/export")
		wantDownload(t, res, "application/json")
		if want := exportJSON(t, db, "ada@example.com"); body != want {
			t.Errorf("staff download differs from db.Export:\n%s", body)
		}
		res, body = get(t, staff, srv, page+"/export?zip=1")
		wantDownload(t, res, "application/zip")
		if files := unzip(t, []byte(body)); len(files) != 1 || len(files["data.json"]) == 0 {
			t.Errorf("ZIP without files: %d entries", len(files))
		}
		formats := []string{}
		for _, e := range audited(t, db, store.AuditExport) {
			if idOf(e.ActorID) != sam.ID || idOf(e.UserID) != adaU.ID {
				t.Errorf("export entry %+v, want actor #%d about #%d", e, sam.ID, adaU.ID)
			}
			formats = append(formats, e.Detail)
		}
		if !slices.Equal(formats, []string{`{"format":"zip"}`, `{"format":"json"}`}) {
			t.Errorf("export entries %q", formats)
		}

		res, _ = do(t, staff, "POST", srv.URL+page+"/name", url.Values{"name": {"Ada King"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?notice=name-saved#name" {
			t.Errorf("POST name: %s → %q", res.Status, res.Header.Get("Location"))
		}
		if _, body := get(t, staff, srv, page+"?notice=name-saved"); !strings.Contains(body, "Saved: their name is now “Ada King”.") {
			t.Errorf("the customer page does not say the name was saved:\n%s", body)
		}
		if got := user(t, db, "ada@example.com"); got.Name != "Ada King" {
			t.Errorf("name %q", got.Name)
		}
		wantAudited(t, db, store.AuditNameChange, sam.ID, adaU.ID)
		if res, _ := do(t, staff, "POST", srv.URL+page+"/name", url.Values{"name": {strings.Repeat("x", 101)}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("too long a name: %s", res.Status)
		}

		for _, confirm := range []string{"", "yes", "ERASE "} {
			res, body := do(t, staff, "POST", srv.URL+page+"/erase", url.Values{"confirm": {confirm}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Not erased") {
				t.Errorf("erase with confirm=%q: %s", confirm, res.Status)
			}
		}
		if got := user(t, db, "ada@example.com"); got.ErasedAt != nil {
			t.Fatal("erased without confirmation")
		}
		res, body = do(t, staff, "POST", srv.URL+page+"/erase", url.Values{"confirm": {"erase"}})
		if res.StatusCode != 200 || !strings.Contains(body, "Erased: 2 tickets kept as records") || !strings.Contains(body, "Erased user") ||
			strings.Contains(body, "ada@example.com") {
			t.Fatalf("erase: %s\n%s", res.Status, body)
		}
		got, err := db.UserByID(context.Background(), adaU.ID)
		if err != nil || got.ErasedAt == nil {
			t.Fatalf("not erased: %+v, %v", got, err)
		}
		if e := wantAudited(t, db, store.AuditErase, sam.ID, adaU.ID); !strings.Contains(e.Detail, `"blocked":false`) {
			t.Errorf("erase detail %q", e.Detail)
		}
		if blocked, _ := db.IsBlocked(context.Background(), "ada@example.com"); blocked {
			t.Error("blocked without being asked to")
		}
		if res, _ := get(t, ada, srv, "/account"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("the erased customer's session survived: %s", res.Status)
		}
		if _, body := get(t, ada, srv, "/privacy"); strings.Contains(body, "ada@example.com") || !strings.Contains(body, `<a href="/login">Sign in</a>`) {
			t.Errorf("after staff erased her, the customer's browser still shows her address in the header:\n%s", body)
		}

		// Again: harmless.
		res, body = do(t, staff, "POST", srv.URL+page+"/erase", url.Values{"confirm": {"erase"}})
		if res.StatusCode != 200 || !strings.Contains(body, "Erased user") {
			t.Errorf("second erase: %s\n%s", res.Status, body)
		}
		if n := len(audited(t, db, store.AuditErase)); n != 1 {
			t.Errorf("erase entries = %d, want 1", n)
		}
		res, body = get(t, staff, srv, page)
		if res.StatusCode != 200 || !strings.Contains(body, "data was erased") || strings.Contains(body, "ada@example.com") {
			t.Errorf("customer page after erasure: %s\n%s", res.Status, body)
		}
		if res, _ := get(t, staff, srv, page+"/export"); res.StatusCode != http.StatusNotFound {
			t.Errorf("export of an erased customer: %s", res.Status)
		}
		if res, _ := do(t, staff, "POST", srv.URL+page+"/name", url.Values{"name": {"Back"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("name of an erased customer: %s", res.Status)
		}
		if n := findAnywhere(t, db, "ada@example.com"); n != "" {
			t.Errorf("address still in %s", n)
		}
		if tk := ticket(t, db, 3); tk.Subject != "Bob's own" {
			t.Errorf("bob's ticket changed: %+v", tk)
		}
		noAddressInAudit(t, db)
	})
}

// TestPrivacyDueDates: privacy requests are due 30 days after they arrive
// and marked overdue while open past it; other tickets carry no date.
func TestPrivacyDueDates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		staff, _ := staffMember(t, srv, db, "sam@support.example")
		ada := customer(t, srv, db, "ada@example.com")
		_, body := get(t, ada, srv, "/tickets/new")
		if !strings.Contains(body, `<option value="privacy">Privacy</option>`) {
			t.Errorf("the new-ticket form does not offer privacy:\n%s", body)
		}
		res, _ := postMultipart(t, ada, srv.URL+"/tickets", url.Values{"subject": {"Fresh privacy request"}, "description": {"What do you hold?"},
			"priority": {"normal"}, "category": {"privacy"}})
		if res.StatusCode != http.StatusSeeOther || ticket(t, db, 1).Category != "privacy" {
			t.Fatalf("POST /tickets with category privacy: %s", res.Status)
		}
		old := time.Now().Add(-31 * 24 * time.Hour).UTC()
		for _, tk := range []struct{ subject, category, status string }{
			{"Old privacy request", "privacy", "open"},
			{"Old pending privacy request", "privacy", "pending"},
			{"Old resolved privacy request", "privacy", "resolved"},
			{"Old billing question", "billing", "open"},
		} {
			got := deliver(t, db, newMail("ada@example.com", tk.subject, "?"))
			if _, err := db.X.Exec(db.X.Rebind(`UPDATE tickets SET category = ?, status = ?, created_at = ? WHERE id = ?`),
				tk.category, tk.status, old, got.TicketID); err != nil {
				t.Fatal(err)
			}
		}
		due := func(n int64) string { return ticket(t, db, n).CreatedAt.Add(PrivacyDue).UTC().Format("2006-01-02") }
		tests := []struct {
			number  int64
			subject string
			want    string // the tag, "" for none
		}{
			{1, "Fresh privacy request", "due " + due(1)},
			{2, "Old privacy request", "overdue since " + due(2)},
			{3, "Old pending privacy request", "overdue since " + due(3)},
			{4, "Old resolved privacy request", "due " + due(4)},
			{5, "Old billing question", ""},
		}
		if age := time.Since(ticket(t, db, 1).CreatedAt); age < 0 || age > time.Minute {
			t.Errorf("the fresh request is %s old", age)
		}
		_, list := get(t, staff, srv, "/inbox?queue=all")
		rows := regexp.MustCompile(`<tr class="ticket-row[^"]*">`).Split(list, -1)[1:]
		if len(rows) != len(tests) {
			t.Fatalf("inbox rows %d, want %d:\n%s", len(rows), len(tests), list)
		}
		for _, tc := range tests {
			t.Run(tc.subject, func(t *testing.T) {
				var row string
				for _, r := range rows {
					if strings.Contains(r, ">"+tc.subject+"</a>") {
						row = r
					}
				}
				_, page := get(t, staff, srv, "/inbox/tickets/"+itoa(tc.number))
				page = page[strings.Index(page, "<h1>"):strings.Index(page, `<div id="collision"`)]
				for where, html := range map[string]string{"inbox": row, "ticket page": page} {
					class := "tag-due"
					if strings.HasPrefix(tc.want, "overdue") {
						class = "tag-overdue"
					}
					switch {
					case tc.want == "" && (strings.Contains(html, "tag-due") || strings.Contains(html, "tag-overdue")):
						t.Errorf("%s shows a due date:\n%s", where, html)
					case tc.want != "" && !strings.Contains(html, `<span class="tag `+class+`">`+tc.want+`</span>`):
						t.Errorf("%s lacks %q:\n%s", where, tc.want, html)
					case tc.want != "" && class == "tag-due" && strings.Contains(html, "overdue"):
						t.Errorf("%s says overdue:\n%s", where, html)
					}
				}
			})
		}
		if _, list := get(t, staff, srv, "/inbox"); !strings.Contains(list, "overdue since "+due(2)) {
			t.Errorf("the open queue does not show the overdue request:\n%s", list)
		}
	})
}

func TestPrivacyDue(t *testing.T) {
	created := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		category, status string
		now              time.Time
		want             string
	}{
		{"privacy", "open", created, "due 2026-02-09"},
		{"privacy", "open", created.Add(PrivacyDue), "due 2026-02-09"},
		{"privacy", "open", created.Add(PrivacyDue + time.Second), "overdue since 2026-02-09"},
		{"privacy", "pending", created.Add(40 * 24 * time.Hour), "overdue since 2026-02-09"},
		{"privacy", "resolved", created.Add(40 * 24 * time.Hour), "due 2026-02-09"},
		{"privacy", "closed", created.Add(40 * 24 * time.Hour), "due 2026-02-09"},
		{"billing", "open", created.Add(40 * 24 * time.Hour), ""},
		{"general", "open", created, ""},
	}
	for _, tc := range tests {
		t.Run(tc.category+" "+tc.status, func(t *testing.T) {
			got := privacyDue(store.Ticket{Category: tc.category, Status: tc.status, CreatedAt: created}, tc.now)
			if got != tc.want {
				t.Errorf("privacyDue = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestEraseLeavesNothingInTheSearchIndex: on SQLite the erased words must
// not stay readable in the FTS5 index's own tables.
func TestEraseLeavesNothingInTheSearchIndex(t *testing.T) {
	db := testdb.Open(t, store.SQLite)
	srv := privacyServer(t, db)
	staff, _ := staffMember(t, srv, db, "sam@support.example")
	d := newMail("zephyrine.q@example.org", "My flibbertigibbet", "The flibbertigibbet is stuck.")
	d.From.Name = "Zephyrine Quillfeather"
	got := deliver(t, db, d)
	_, page := get(t, staff, srv, "/inbox/tickets/1")
	postMultipart(t, staff, srv.URL+"/inbox/tickets/1/reply", url.Values{"kind": {"reply"},
		"text": {"Hello Zephyrine Quillfeather."}, "last_message": {lastMessage(t, page)}})
	if _, err := db.Erase(context.Background(), ticket(t, db, got.TicketNumber).CustomerID, store.EraseOpts{}); err != nil {
		t.Fatal(err)
	}
	for _, trace := range []string{"ephyrine", "flibbertigibbet"} {
		if where := findInSearchIndex(t, db, trace); where != "" {
			t.Errorf("%q still in %.200s", trace, where)
		}
	}
}

// TestEraseAfterAnEmailChange: erasing an account whose address changed
// leaves neither address behind.
func TestEraseAfterAnEmailChange(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := privacyServer(t, db)
		ada := customer(t, srv, db, "ada.before@example.com")
		staff, _ := staffMember(t, srv, db, "sam@support.example")
		do(t, ada, "POST", srv.URL+"/account/email", url.Values{"email": {"ada.after@example.org"}})
		_, token := privacyLink(t, db, "ada.after@example.org", "/account/email/confirm")
		if res, _ := do(t, ada, "POST", srv.URL+"/account/email/confirm", url.Values{"token": {token}}); res.StatusCode != 200 {
			t.Fatalf("confirm: %s", res.Status)
		}
		u := user(t, db, "ada.after@example.org")
		if res, _ := do(t, staff, "POST", srv.URL+"/inbox/customers/"+itoa(u.ID)+"/erase", url.Values{"confirm": {"erase"}}); res.StatusCode != 200 {
			t.Fatalf("erase: %s", res.Status)
		}
		for _, trace := range []string{"ada.before", "ada.after"} {
			if where := findAnywhere(t, db, trace); where != "" {
				t.Errorf("%q still in %.300s", trace, where)
			}
		}
	})
}

// TestPrivacyLinksAreRateLimited: address-change and erase links have
// budgets of their own (per account, per target address, per IP), so asking
// for them cannot use up anybody's sign-in links.
func TestPrivacyLinksAreRateLimited(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := newServer(t, db, testRedis(t), Opts{Limits: Limits{LinksPerAddress: 2, LinksPerIP: 20, ConfirmsPerIP: 30}})
		ada := customer(t, srv, db, "ada@example.com") // one sign-in link to ada@example.com
		for _, tc := range []struct {
			path, email string
			status      int
		}{
			{"/account/erase", "", 200},
			{"/account/erase", "", 200},
			{"/account/erase", "", http.StatusTooManyRequests},
			{"/account/email", "victim@example.org", 200},
			{"/account/email", "victim@example.org", 200},
			{"/account/email", "victim@example.org", http.StatusTooManyRequests},
		} {
			if res, _ := do(t, ada, "POST", srv.URL+tc.path, url.Values{"email": {tc.email}}); res.StatusCode != tc.status {
				t.Errorf("POST %s %s: %s, want %d", tc.path, tc.email, res.Status, tc.status)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM login_tokens WHERE purpose <> 'login'`); n != 4 {
			t.Errorf("links stored = %d, want 4", n)
		}
		// The victim can still sign in: their sign-in budget is untouched.
		if res, _ := do(t, browser(t), "POST", srv.URL+"/login", url.Values{"email": {"victim@example.org"}}); res.StatusCode != http.StatusSeeOther {
			t.Errorf("victim's sign-in: %s", res.Status)
		}
		// A second account cannot push more links to the same address.
		bob := customer(t, srv, db, "bob@example.com")
		if res, _ := do(t, bob, "POST", srv.URL+"/account/email", url.Values{"email": {"victim@example.org"}}); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("third change link to one address: %s", res.Status)
		}
	})
}
