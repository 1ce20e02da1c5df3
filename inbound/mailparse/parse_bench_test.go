package mailparse

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/quotedprintable"
	"runtime"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// benchMail20KB builds a realistic reply of about 20 KB: multipart/alternative
// with a windows-1252 quoted-printable text part and a UTF-8 base64 HTML part
// carrying a Gmail quote, plus an ISO-8859-1 encoded-word subject.
func benchMail20KB() []byte {
	var text, html bytes.Buffer
	text.WriteString("Hello Anna,\n\nthanks, the export works now – but the totals in € look wrong.\nCould you check again?\n\nBest,\nJürgen\n\n")
	text.WriteString("On Mon, Jan 5, 2026 at 10:02 AM Anna from Dargo Support <support@dargo.example> wrote:\n\n")
	html.WriteString(`<div dir="ltr"><div>Hello Anna,</div><div><br></div><div>thanks, the export works now – but the totals in € look wrong.</div><div>Could you check again?</div><div><br></div><div>Best,</div><div>Jürgen</div></div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Mon, Jan 5, 2026 at 10:02 AM Anna from Dargo Support &lt;<a href="mailto:support@dargo.example">support@dargo.example</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">`)
	for i := 0; text.Len() < 5200; i++ {
		line := fmt.Sprintf("Line %d of the earlier conversation: grüße, café, naïve – the quick brown fox.", i)
		fmt.Fprintf(&text, "> %s\n", line)
		fmt.Fprintf(&html, `<div>%s</div><div><a href="https://dargo.example/t/%d">ticket link</a></div>`, line, i)
	}
	html.WriteString(`</blockquote></div>`)
	for html.Len() < 7600 {
		html.WriteString(`<p style="color:#333">Footer &amp; legal text, &copy; 2026 Dargo.</p>`)
	}
	cp, _ := charmap.Windows1252.NewEncoder().Bytes(text.Bytes())
	var qp bytes.Buffer
	w := quotedprintable.NewWriter(&qp)
	w.Write(cp)
	w.Close()
	b64 := base64.StdEncoding.EncodeToString(html.Bytes())
	var m bytes.Buffer
	m.WriteString("From: =?ISO-8859-1?Q?J=FCrgen_Wei=DF?= <juergen@example.de>\r\nTo: Dargo Support <support@dargo.example>\r\n")
	m.WriteString("Subject: =?ISO-8859-1?Q?Re:_[#42]_Export_f=FCr_Dezember?=\r\nDate: Mon, 5 Jan 2026 11:15:42 +0100\r\n")
	m.WriteString("Message-ID: <CAH+xyz789@mail.gmail.com>\r\nIn-Reply-To: <ticket-42.2@dargo.example>\r\nReferences: <ticket-42.1@dargo.example> <ticket-42.2@dargo.example>\r\n")
	m.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b42\"\r\n\r\n--b42\r\n")
	m.WriteString("Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	m.Write(qp.Bytes()) // the QP writer already ends lines with CRLF
	m.WriteString("\r\n--b42\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for i := 0; i < len(b64); i += 76 {
		m.WriteString(b64[i:min(i+76, len(b64))])
		m.WriteString("\r\n")
	}
	m.WriteString("--b42--\r\n")
	return m.Bytes()
}

func BenchmarkParse20KB(b *testing.B) {
	raw := benchMail20KB()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse5MBAttachment(b *testing.B) {
	data := make([]byte, 5<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	var m bytes.Buffer
	m.WriteString("From: a@example.com\r\nTo: support@dargo.example\r\nSubject: big\r\nMIME-Version: 1.0\r\n")
	m.WriteString("Content-Type: multipart/mixed; boundary=\"big\"\r\n\r\n--big\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n")
	m.WriteString("--big\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"big.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(data)
	for i := 0; i < len(enc); i += 76 {
		m.WriteString(enc[i:min(i+76, len(enc))])
		m.WriteString("\r\n")
	}
	m.WriteString("--big--\r\n")
	raw := m.Bytes()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		mail, err := Parse(raw)
		if err != nil || len(mail.Attachments) != 1 || len(mail.Attachments[0].Data) != len(data) {
			b.Fatalf("bad parse: %v", err)
		}
	}
}

func TestBenchMailParses(t *testing.T) {
	raw := benchMail20KB()
	if len(raw) < 18000 || len(raw) > 24000 {
		t.Fatalf("bench mail is %d bytes, want about 20 KB", len(raw))
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Re: [#42] Export für Dezember" || m.VisibleText == "" || len(m.VisibleText) > 200 {
		t.Fatalf("subject %q, visible %q", m.Subject, m.VisibleText)
	}
}

// TestParseBigAttachmentMemory checks that a big attachment is not held
// twice while it is decoded: Parse may allocate little more than the
// decoded attachments themselves.
func TestParseBigAttachmentMemory(t *testing.T) {
	part := func(name string, n int) string {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i * 7)
		}
		enc := base64.StdEncoding.EncodeToString(data)
		var b bytes.Buffer
		fmt.Fprintf(&b, "--big\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=%q\r\nContent-Transfer-Encoding: base64\r\n\r\n", name)
		for i := 0; i < len(enc); i += 76 {
			b.WriteString(enc[i:min(i+76, len(enc))])
			b.WriteString("\r\n")
		}
		return b.String()
	}
	raw := []byte("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=big\r\n\r\n--big\r\n\r\nSee attached.\r\n" +
		part("a.pdf", 6<<20) + part("b.pdf", 1<<20) + "--big--\r\n")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, _ := Parse(raw)
	runtime.ReadMemStats(&after)
	if len(m.Attachments) != 2 || len(m.Attachments[0].Data) != 6<<20 {
		t.Fatalf("got %d attachments", len(m.Attachments))
	}
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(7<<20)*3/2; got > limit {
		t.Errorf("Parse allocated %d bytes for 7 MiB of attachments, want at most %d", got, limit)
	}
}
