package outbound

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestComposeHeaders(t *testing.T) {
	raw, err := Compose(testMail())
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw)
	h := parse(t, raw).header

	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Acme Support" || from[0].Address != "support@acme.test" {
		t.Errorf("From = %v, %v", from, err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != `Zoë Müller, "Z"` || to[0].Address != "zoe@example.org" {
		t.Errorf("To = %v, %v", to, err)
	}
	rt, err := h.AddressList("Reply-To")
	if err != nil || len(rt) != 1 || rt[0].Address != "support+42-0123456789ab@acme.test" {
		t.Errorf("Reply-To = %v, %v", rt, err)
	}
	if s, err := h.Subject(); err != nil || s != "[#42] Drucker kaputt – schon wieder" {
		t.Errorf("Subject = %q, %v", s, err)
	}
	if !strings.Contains(h.Get("Subject"), "=?utf-8?") {
		t.Errorf("non-ASCII subject not RFC 2047 encoded: %q", h.Get("Subject"))
	}
	if !strings.Contains(h.Get("To"), "=?utf-8?") {
		t.Errorf("non-ASCII name not RFC 2047 encoded: %q", h.Get("To"))
	}
	if id, err := h.MessageID(); err != nil || id != "abc.123@acme.test" {
		t.Errorf("Message-ID = %q, %v", id, err)
	}
	if irt, err := h.MsgIDList("In-Reply-To"); err != nil || !slices.Equal(irt, []string{"cust-2@example.org"}) {
		t.Errorf("In-Reply-To = %v, %v", irt, err)
	}
	wantRefs := []string{"cust-1@example.org", "0100018f@email.amazonses.com", "cust-2@example.org"}
	if refs, err := h.MsgIDList("References"); err != nil || !slices.Equal(refs, wantRefs) {
		t.Errorf("References = %v, %v", refs, err)
	}
	if d, err := h.Date(); err != nil || !d.Equal(testMail().Date) {
		t.Errorf("Date = %v, %v", d, err)
	}
	if h.Has("Auto-Submitted") {
		t.Errorf("a staff reply carries Auto-Submitted: %q", h.Get("Auto-Submitted"))
	}
	if got := h.Get("X-Auto-Response-Suppress"); got != "All" {
		t.Errorf("X-Auto-Response-Suppress = %q", got)
	}
	if got := h.Get("MIME-Version"); got != "1.0" {
		t.Errorf("MIME-Version = %q", got)
	}
	if h.Has("Precedence") || h.Has("Bcc") {
		t.Errorf("unexpected header: %v", h.Map())
	}
}

func TestComposeAuto(t *testing.T) {
	m := testMail()
	m.Auto = true
	m.ReplyTo = ""
	m.Ticket = 0
	m.InReplyTo, m.References = "", nil
	raw, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	h := parse(t, raw).header
	if got := h.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", got)
	}
	for _, k := range []string{"Reply-To", "In-Reply-To", "References"} {
		if h.Has(k) {
			t.Errorf("%s present on a mail about no ticket: %q", k, h.Get(k))
		}
	}
	if s, _ := h.Subject(); s != m.Subject {
		t.Errorf("Subject = %q, want no tag", s)
	}
	if got := h.Get("X-Auto-Response-Suppress"); got != "All" {
		t.Errorf("X-Auto-Response-Suppress = %q", got)
	}
}

func TestComposeStructure(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(m *Mail)
		types []string
	}{
		{"alternative", func(m *Mail) {}, []string{"multipart/alternative", "text/plain", "text/html"}},
		{"text only", func(m *Mail) { m.HTML = "" }, []string{"text/plain"}},
		{"mixed", func(m *Mail) {
			m.Attachments = []Attachment{{Filename: "a.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}}
		}, []string{"multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf"}},
		{"mixed text only", func(m *Mail) {
			m.HTML = ""
			m.Attachments = []Attachment{{Filename: "a.txt", ContentType: "text/plain", Data: []byte("x")}}
		}, []string{"multipart/mixed", "text/plain", "text/plain"}},
		{"bad content type", func(m *Mail) {
			m.Attachments = []Attachment{{Filename: "x", ContentType: "no type\r\nX-Evil: 1", Data: []byte("x")}}
		}, []string{"multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/octet-stream"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMail()
			tt.edit(m)
			raw, err := Compose(m)
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, raw)
			p := parse(t, raw)
			if !slices.Equal(p.types(), tt.types) {
				t.Fatalf("structure = %v, want %v", p.types(), tt.types)
			}
			text := p.find(t, "text/plain")
			if string(text.body) != strings.ReplaceAll(m.Text, "\n", "\r\n") {
				t.Errorf("text = %q", text.body)
			}
			if _, params, _ := text.header.ContentType(); params["charset"] != "utf-8" {
				t.Errorf("text charset = %q", params["charset"])
			}
			if m.HTML != "" && string(p.find(t, "text/html").body) != m.HTML {
				t.Errorf("html = %q", p.find(t, "text/html").body)
			}
		})
	}
}

func TestComposeAttachmentsRoundTrip(t *testing.T) {
	bin := make([]byte, 300<<10)
	rand.Read(bin)
	atts := []Attachment{
		{Filename: "Rechnung März 2026 – ÄÖÜ.pdf", ContentType: "application/pdf", Data: bin},
		{Filename: "日本語のファイル名.txt", ContentType: "text/plain; charset=utf-8", Data: []byte("no newline at end\r\nmixed\nends\r")},
		{Filename: "empty.bin", ContentType: "", Data: nil},
	}
	m := testMail()
	m.Attachments = atts
	raw, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw)
	p := parse(t, raw)
	var got []part
	for _, pt := range p.parts {
		if disp, _, _ := pt.header.ContentDisposition(); disp == "attachment" {
			got = append(got, pt)
		}
	}
	if len(got) != len(atts) {
		t.Fatalf("%d attachments, want %d", len(got), len(atts))
	}
	for i, a := range atts {
		if got[i].filename != a.Filename {
			t.Errorf("filename %d = %q, want %q", i, got[i].filename, a.Filename)
		}
		if !bytes.Equal(got[i].body, a.Data) {
			t.Errorf("attachment %d: %d bytes differ from %d sent", i, len(got[i].body), len(a.Data))
		}
		if cte := got[i].header.Get("Content-Transfer-Encoding"); cte != "base64" {
			t.Errorf("attachment %d encoding = %q", i, cte)
		}
	}
	if cd := got[0].header; !strings.Contains(cd.Get("Content-Disposition"), "=?utf-8?") {
		t.Errorf("non-ASCII filename not encoded: %q", cd.Get("Content-Disposition"))
	}
	if _, params, _ := got[1].header.ContentType(); params["charset"] != "utf-8" || params["name"] != atts[1].Filename {
		t.Errorf("text attachment params = %v", params)
	}
	if typ := got[2].typ; typ != "application/octet-stream" {
		t.Errorf("empty content type became %q", typ)
	}
}

func TestComposeLongLines(t *testing.T) {
	long := strings.Repeat("x", 5000)
	uni := strings.Repeat("ü€😀", 2000)
	m := testMail()
	m.Text = long + "\n" + uni
	m.HTML = "<p>" + long + uni + "</p>"
	m.Subject = strings.Repeat("S", 2000)
	m.To.Name = strings.Repeat("N", 2000)
	m.Attachments = []Attachment{{Filename: strings.Repeat("f", 2000) + ".txt", ContentType: "text/plain", Data: []byte(long)}}
	raw, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, raw)
	p := parse(t, raw)
	if got := string(p.find(t, "text/plain").body); got != long+"\r\n"+uni {
		t.Errorf("long text did not round-trip (%d bytes)", len(got))
	}
	if got := string(p.find(t, "text/html").body); got != m.HTML {
		t.Errorf("long html did not round-trip (%d bytes)", len(got))
	}
	if tp := p.find(t, "text/plain"); tp.header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Errorf("text encoding = %q", tp.header.Get("Content-Transfer-Encoding"))
	}
}

func TestTagSubject(t *testing.T) {
	tests := []struct {
		subject string
		ticket  int64
		want    string
	}{
		{"Printer broken", 7, "[#7] Printer broken"},
		{"[#7] Printer broken", 7, "[#7] Printer broken"},
		{"Re: [#7] Printer broken", 7, "Re: [#7] Printer broken"},
		{"Re: Printer broken", 7, "Re: [#7] Printer broken"},
		{"We received your request [#7] Printer", 7, "We received your request [#7] Printer"},
		{"About [#70]", 7, "[#7] About [#70]"},
		{"", 7, "[#7]"},
		{"No ticket", 0, "No ticket"},
	}
	for _, tt := range tests {
		if got := tagSubject(tt.subject, tt.ticket); got != tt.want {
			t.Errorf("tagSubject(%q, %d) = %q, want %q", tt.subject, tt.ticket, got, tt.want)
		}
	}
}

func TestComposeRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(m *Mail)
	}{
		{"empty To", func(m *Mail) { m.To.Email = "" }},
		{"To without @", func(m *Mail) { m.To.Email = "zoe" }},
		{"To with a name", func(m *Mail) { m.To.Email = "Zoe <zoe@example.org>" }},
		{"To with CRLF", func(m *Mail) { m.To.Email = "zoe@example.org\r\nBcc: evil@x.test" }},
		{"two To", func(m *Mail) { m.To.Email = "zoe@example.org, evil@x.test" }},
		{"To with space", func(m *Mail) { m.To.Email = "zoe @example.org" }},
		{"bad From", func(m *Mail) { m.From.Email = "support" }},
		{"bad Reply-To", func(m *Mail) { m.ReplyTo = "support+1@acme.test\nBcc: x@y.z" }},
		{"no Message-ID", func(m *Mail) { m.MessageID = "" }},
		{"bad Message-ID", func(m *Mail) { m.MessageID = "a b@c" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMail()
			tt.edit(m)
			if raw, err := Compose(m); err == nil {
				t.Fatalf("Compose accepted it:\n%s", raw)
			}
		})
	}
}

func TestReferences(t *testing.T) {
	var ids []string
	for i := range 25 {
		ids = append(ids, fmt.Sprintf("id%d@x.test", i))
	}
	got := references(ids, "id24@x.test")
	want := append([]string{"id0@x.test"}, ids[16:]...)
	if !slices.Equal(got, want) {
		t.Errorf("references = %v, want %v", got, want)
	}
	got = references([]string{"a@x", "<b@x>", "bad id@x", "a@x", "no-at"}, "c@x")
	if want := []string{"a@x", "b@x", "c@x"}; !slices.Equal(got, want) {
		t.Errorf("references = %v, want %v", got, want)
	}
	if got := references(nil, ""); len(got) != 0 {
		t.Errorf("references of nothing = %v", got)
	}
}

func TestComposeDropsBadThreadIDs(t *testing.T) {
	m := testMail()
	m.InReplyTo = "x@y>\r\nBcc: evil@x.test"
	m.References = []string{"ok@x.test", "evil@x.test>\r\nX-Evil: 1"}
	raw, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	h := parse(t, raw).header
	if h.Has("In-Reply-To") || h.Has("Bcc") || h.Has("X-Evil") {
		t.Errorf("bad ids leaked: %v", h.Map())
	}
	if refs, _ := h.MsgIDList("References"); !slices.Equal(refs, []string{"ok@x.test"}) {
		t.Errorf("References = %v", refs)
	}
}

func TestMintMessageID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := MintMessageID("mail.acme.test")
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
		if cleanID(id) != id || !strings.HasSuffix(id, "@mail.acme.test") || strings.ContainsAny(id, "<> ") {
			t.Fatalf("bad id %q", id)
		}
		local := strings.TrimSuffix(id, "@mail.acme.test")
		if i := strings.IndexByte(local, '.'); i < 0 || len(local)-i-1 != 32 {
			t.Fatalf("id %q lacks timestamp.128-bit-hex", id)
		}
	}
	if id := MintMessageID(""); !strings.HasSuffix(id, "@localhost") {
		t.Errorf("MintMessageID(\"\") = %q", id)
	}
}

func TestComposeDateDefaultsToNow(t *testing.T) {
	m := testMail()
	m.Date = time.Time{}
	raw, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	h := parse(t, raw).header
	d, err := h.Date()
	if err != nil || time.Since(d) > time.Minute {
		t.Errorf("Date = %v, %v", d, err)
	}
}
