package mailparse

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

// mixedCharsetMail20KB builds the mail issue 19 measures parse speed with:
// multipart/mixed holding a multipart/alternative (an ISO-8859-1
// quoted-printable text part and a UTF-8 base64 HTML part with a Gmail
// quote) and a small PNG attachment, an ISO-2022-JP encoded-word Subject
// and a windows-1251 encoded-word sender name. About 20 KB.
func mixedCharsetMail20KB() []byte {
	var text, html bytes.Buffer
	text.WriteString("Hallo Anna,\n\ndanke, der Export läuft jetzt, aber die Summen in der Übersicht stimmen nicht.\nKönnten Sie bitte noch einmal nachsehen?\n\nGrüße aus Köln,\nJürgen Weiß\n\n")
	text.WriteString("Am Mo., 5. Jan. 2026 um 10:02 Uhr schrieb Anna von Dargo Support <support@dargo.example>:\n\n")
	html.WriteString(`<div dir="ltr"><div>Hallo Anna,</div><div><br></div><div>danke, der Export läuft jetzt, aber die Summen in der Übersicht stimmen nicht.</div><div>Könnten Sie bitte noch einmal nachsehen?</div><div><br></div><div>Grüße aus Köln,</div><div>Jürgen Weiß</div></div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">Am Mo., 5. Jan. 2026 um 10:02 Uhr schrieb Anna von Dargo Support &lt;<a href="mailto:support@dargo.example">support@dargo.example</a>&gt;:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">`)
	for i := 0; text.Len() < 5000; i++ {
		line := fmt.Sprintf("Zeile %d des früheren Verlaufs: Straße, Größe, naïve Café-Bestellung über %d EUR (±5 °C, ½ Stück).", i, 10*i)
		fmt.Fprintf(&text, "> %s\n", line)
		fmt.Fprintf(&html, `<div>%s</div><div><a href="https://dargo.example/t/42?m=%d&amp;s=x">Nachricht ansehen</a></div>`, line, i)
	}
	html.WriteString(`</blockquote></div>`)
	for html.Len() < 7000 {
		html.WriteString(`<p style="color:#333">Fußzeile &amp; Impressum, &copy; 2026 Dargo GmbH.</p>`)
	}
	latin1, err := charmap.ISO8859_1.NewEncoder().Bytes(text.Bytes())
	if err != nil {
		panic(err)
	}
	var qp bytes.Buffer
	w := quotedprintable.NewWriter(&qp)
	w.Write(latin1)
	w.Close()
	subject, err := japanese.ISO2022JP.NewEncoder().String("Re: [#42] 12月分の請求書について")
	if err != nil {
		panic(err)
	}
	name, err := charmap.Windows1251.NewEncoder().String("Юрген Вайс")
	if err != nil {
		panic(err)
	}
	png := make([]byte, 1200)
	copy(png, "\x89PNG\r\n\x1a\n")
	for i := 8; i < len(png); i++ {
		png[i] = byte(i * 13)
	}
	var m bytes.Buffer
	m.WriteString("From: " + mime.BEncoding.Encode("windows-1251", name) + " <juergen@example.de>\r\nTo: Dargo Support <support@dargo.example>\r\n")
	m.WriteString("Subject: " + mime.BEncoding.Encode("ISO-2022-JP", subject) + "\r\nDate: Mon, 5 Jan 2026 11:15:42 +0100\r\n")
	m.WriteString("Message-ID: <CAH+mixed789@mail.gmail.com>\r\nIn-Reply-To: <ticket-42.2@dargo.example>\r\nReferences: <ticket-42.1@dargo.example> <ticket-42.2@dargo.example>\r\n")
	m.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\n")
	m.WriteString("Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\n")
	m.WriteString("Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	m.Write(qp.Bytes())
	m.WriteString("\r\n--alt\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	writeBase64Lines(&m, html.Bytes())
	m.WriteString("--alt--\r\n\r\n--mix\r\nContent-Type: image/png; name=\"chart.png\"\r\nContent-Disposition: attachment; filename=\"chart.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	writeBase64Lines(&m, png)
	m.WriteString("--mix--\r\n")
	return m.Bytes()
}

func writeBase64Lines(b *bytes.Buffer, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for i := 0; i < len(enc); i += 76 {
		b.WriteString(enc[i:min(i+76, len(enc))])
		b.WriteString("\r\n")
	}
}

// BenchmarkParseMixedCharset20KB is issue 19's parse-speed yardstick: the
// whole of Parse (MIME walk, charsets, text, visible text and sanitized
// HTML) on mixedCharsetMail20KB. The target is 40 MB/s.
func BenchmarkParseMixedCharset20KB(b *testing.B) {
	raw := mixedCharsetMail20KB()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseTextMixedCharset20KB is the same without the sanitized
// HTML (ParseText): what a text preview pays.
func BenchmarkParseTextMixedCharset20KB(b *testing.B) {
	raw := mixedCharsetMail20KB()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseText(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMixedCharsetMailParses(t *testing.T) {
	raw := mixedCharsetMail20KB()
	if len(raw) < 18000 || len(raw) > 24000 {
		t.Fatalf("bench mail is %d bytes, want about 20 KB", len(raw))
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Re: [#42] 12月分の請求書について" || m.From.Name != "Юрген Вайс" {
		t.Fatalf("subject %q, from %q", m.Subject, m.From.Name)
	}
	if !strings.HasPrefix(m.VisibleText, "Hallo Anna,") || strings.Contains(m.VisibleText, "Zeile 3") || !strings.Contains(m.VisibleText, "Jürgen Weiß") {
		t.Fatalf("visible text %q", m.VisibleText)
	}
	if !strings.Contains(m.Text, "Zeile 3 des früheren Verlaufs: Straße") {
		t.Fatalf("text lacks the quoted history: %q", m.Text[:200])
	}
	if !strings.Contains(m.HTML, "<blockquote>") || strings.Contains(m.HTML, "style=") || strings.Contains(m.HTML, "gmail_quote") {
		t.Fatalf("html not sanitized as expected: %q", m.HTML[:300])
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "chart.png" || len(m.Attachments[0].Data) != 1200 {
		t.Fatalf("attachments %+v", m.Attachments)
	}
}
