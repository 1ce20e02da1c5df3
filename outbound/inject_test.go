package outbound

import (
	"bytes"
	"strings"
	"testing"
)

// attacks are values that try to start a header field of their own.
var attacks = []string{
	"Hi\r\nBcc: evil@x.test",
	"Hi\nBcc: evil@x.test",
	"Hi\rBcc: evil@x.test",
	"\nX-Evil: 1",
	"\r\n\r\nX-Evil: 1\r\n\r\nbody",
	"Hi\u2028X-Evil: 1",
	"Hi\u2029X-Evil: 1",
	"Hi\u0085X-Evil: 1",
	"Hi\x00\x0bX-Evil: 1",
	"=?utf-8?q?Hi=0D=0AX-Evil:_1?=",
	"Hi\r\n X-Evil: 1",
}

func TestHeaderInjection(t *testing.T) {
	fields := []struct {
		name string
		set  func(m *Mail, v string)
	}{
		{"subject", func(m *Mail, v string) { m.Subject = v }},
		{"to name", func(m *Mail, v string) { m.To.Name = v }},
		{"from name", func(m *Mail, v string) { m.From.Name = v }},
		{"filename", func(m *Mail, v string) {
			m.Attachments = []Attachment{{Filename: v, ContentType: "text/plain", Data: []byte("x")}}
		}},
		{"content type", func(m *Mail, v string) {
			m.Attachments = []Attachment{{Filename: "a.txt", ContentType: "text/plain; " + v, Data: []byte("x")}}
		}},
	}
	base := func() map[string]int {
		m := testMail()
		m.Attachments = []Attachment{{Filename: "a.txt", ContentType: "text/plain", Data: []byte("x")}}
		raw, err := Compose(m)
		if err != nil {
			t.Fatal(err)
		}
		return headerKeys(parse(t, raw))
	}()
	for _, f := range fields {
		for _, v := range attacks {
			t.Run(f.name+"/"+strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(v), func(t *testing.T) {
				m := testMail()
				m.Attachments = []Attachment{{Filename: "a.txt", ContentType: "text/plain", Data: []byte("x")}}
				f.set(m, v)
				raw, err := Compose(m)
				if err != nil {
					t.Fatal(err)
				}
				checkLines(t, raw)
				if bytes.Contains(bytes.ToLower(raw), []byte("\nbcc:")) || bytes.Contains(bytes.ToLower(raw), []byte("\nx-evil:")) {
					t.Fatalf("injected field in raw mail:\n%s", raw)
				}
				p := parse(t, raw)
				got := headerKeys(p)
				for k, n := range got {
					if n != base[k] {
						t.Errorf("field %q appears %d times, %d without the attack", k, n, base[k])
					}
				}
				s, _ := p.header.Subject()
				to, _ := p.header.AddressList("To")
				from, _ := p.header.AddressList("From")
				decoded := []string{s}
				if len(to) == 1 && len(from) == 1 {
					decoded = append(decoded, to[0].Name, from[0].Name)
				} else {
					t.Errorf("To %v From %v", to, from)
				}
				for _, pt := range p.parts {
					decoded = append(decoded, pt.filename)
				}
				for _, d := range decoded {
					if strings.ContainsAny(d, "\r\n\u2028\u2029\u0085\x00\x0b") && !strings.HasPrefix(v, "=?") {
						t.Errorf("decoded header value keeps a line break: %q", d)
					}
				}
			})
		}
	}
}

func TestCleanHeaderText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  plain  ", "plain"},
		{"a\r\nb", "a b"},
		{"a\t\tb", "a b"},
		{"a\u2028b\u2029c", "a b c"},
		{"a\x00b\x7fc\u0085d", "abc d"},
		{"gpj\u202E.exe", "gpj.exe"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"\ufeffBOM", "BOM"},
	}
	for _, tt := range tests {
		if got := cleanHeaderText(tt.in, 100); got != tt.want {
			t.Errorf("cleanHeaderText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := cleanHeaderText(strings.Repeat("é", 300), 10); got != strings.Repeat("é", 10) {
		t.Errorf("not capped: %q", got)
	}
}

func TestCleanFilename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "_.._etc_passwd"},
		{`C:\Users\x.doc`, "C:_Users_x.doc"},
		{"", "attachment"},
		{" . ", "attachment"},
		{"a\r\nContent-Type: text/html", "a Content-Type: text_html"},
	}
	for _, tt := range tests {
		if got := cleanFilename(tt.in); got != tt.want {
			t.Errorf("cleanFilename(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := cleanFilename(strings.Repeat("ä", 400) + ".pdf")
	if !strings.HasSuffix(long, ".pdf") || len([]rune(long)) != maxFilename {
		t.Errorf("long filename = %q (%d runes)", long, len([]rune(long)))
	}
}
