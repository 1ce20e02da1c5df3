package mailparse

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite testdata/parse/*.golden.json from Parse output")

// golden is what a corpus mail must parse to. TextContains, HTMLContains and
// HTMLExcludes are written by hand and kept by -update.
type golden struct {
	Subject       string             `json:"subject"`
	From          Address            `json:"from"`
	To            []Address          `json:"to,omitempty"`
	MessageID     string             `json:"message_id"`
	InReplyTo     []string           `json:"in_reply_to"`
	References    []string           `json:"references"`
	Date          string             `json:"date,omitempty"`
	ReturnPath    string             `json:"return_path,omitempty"`
	HasReturnPath bool               `json:"has_return_path,omitempty"`
	Header        Header             `json:"header,omitempty"`
	VisibleText   string             `json:"visible_text"`
	Attachments   []goldenAttachment `json:"attachments"`
	Report        []goldenRecipient  `json:"report"`
	Problems      []string           `json:"problems,omitempty"`
	TextContains  []string           `json:"text_contains,omitempty"`
	HTMLContains  []string           `json:"html_contains,omitempty"`
	HTMLExcludes  []string           `json:"html_excludes,omitempty"`
}

type goldenAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	ContentID   string `json:"content_id,omitempty"`
	Inline      bool   `json:"inline"`
	Size        int    `json:"size"`
}

type goldenRecipient struct {
	FinalRecipient string `json:"final_recipient"`
	Action         string `json:"action"`
	Status         string `json:"status"`
	Diagnostic     string `json:"diagnostic"`
}

func goldenOf(m *Mail) golden {
	g := golden{
		Subject: m.Subject, From: m.From, To: m.To, MessageID: m.MessageID,
		InReplyTo: m.InReplyTo, References: m.References,
		ReturnPath: m.ReturnPath, HasReturnPath: m.HasReturnPath, Header: m.Header,
		VisibleText: m.VisibleText, Problems: m.Problems,
		Attachments: []goldenAttachment{}, Report: nil,
	}
	if !m.Date.IsZero() {
		g.Date = m.Date.Format(time.RFC3339)
	}
	for _, a := range m.Attachments {
		g.Attachments = append(g.Attachments, goldenAttachment{a.Filename, a.ContentType, a.ContentID, a.Inline, len(a.Data)})
	}
	if m.Report != nil {
		for _, r := range m.Report.Recipients {
			g.Report = append(g.Report, goldenRecipient(r))
		}
	}
	return g
}

func TestParseCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/parse/*.eml")
	if err != nil || len(files) < 30 {
		t.Fatalf("corpus: %d files, err %v", len(files), err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw)
			if m == nil {
				t.Fatalf("Parse returned nil Mail (err %v)", err)
			}
			checkInvariants(t, m)
			got := goldenOf(m)
			goldenPath := strings.TrimSuffix(file, ".eml") + ".golden.json"
			var want golden
			if b, err := os.ReadFile(goldenPath); err == nil {
				if err := json.Unmarshal(b, &want); err != nil {
					t.Fatalf("golden: %v", err)
				}
			} else if !*update {
				t.Fatalf("no golden file; run with -update")
			}
			if *update {
				got.TextContains, got.HTMLContains, got.HTMLExcludes = want.TextContains, want.HTMLContains, want.HTMLExcludes
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				if err := enc.Encode(got); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(goldenPath, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				want = got
			}
			for _, s := range want.TextContains {
				if !strings.Contains(m.Text, s) {
					t.Errorf("Text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range want.HTMLContains {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("HTML lacks %q:\n%s", s, m.HTML)
				}
			}
			for _, s := range want.HTMLExcludes {
				if strings.Contains(strings.ToLower(m.HTML), strings.ToLower(s)) {
					t.Errorf("HTML contains %q:\n%s", s, m.HTML)
				}
			}
			got.TextContains, got.HTMLContains, got.HTMLExcludes = want.TextContains, want.HTMLContains, want.HTMLExcludes
			if !reflect.DeepEqual(normalizeGolden(got), normalizeGolden(want)) {
				gb, _ := json.MarshalIndent(got, "", "  ")
				t.Errorf("mismatch with %s; got:\n%s", goldenPath, gb)
			}
		})
	}
}

// normalizeGolden makes nil and empty slices compare equal after a JSON round trip.
func normalizeGolden(g golden) golden {
	b, _ := json.Marshal(g)
	var out golden
	_ = json.Unmarshal(b, &out)
	return out
}

func checkInvariants(t *testing.T, m *Mail) {
	t.Helper()
	for name, s := range map[string]string{"Subject": m.Subject, "Text": m.Text, "VisibleText": m.VisibleText, "HTML": m.HTML} {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8", name)
		}
	}
	if strings.Contains(m.Text, "\r") {
		t.Errorf("Text has a carriage return")
	}
	if m.Text != "" && m.VisibleText == "" && !quotesOnly(m) {
		t.Errorf("VisibleText empty while Text is not and holds no quote")
	}
}

func TestParseEmptyInput(t *testing.T) {
	m, err := Parse(nil)
	if m == nil || err == nil {
		t.Fatalf("Parse(nil) = %v, %v; want a Mail and ErrNoHeader", m, err)
	}
}

func TestParseReturnPathNull(t *testing.T) {
	m, _ := Parse([]byte("Return-Path: <>\r\nFrom: MAILER-DAEMON@x.example\r\n\r\nbounce\r\n"))
	if !m.HasReturnPath || m.ReturnPath != "" {
		t.Fatalf("ReturnPath = %q, %v; want \"\", true", m.ReturnPath, m.HasReturnPath)
	}
}

// TestParseRecovers covers the places where go-message rejects input and our
// pre-passes or fallback decoders take over.
func TestParseRecovers(t *testing.T) {
	const from = "From: a@x.example\r\n"
	tests := []struct {
		name, raw   string
		text        string
		attachments []string // "filename=data"
		problems    []string
	}{
		{
			name:     "junk line in a part header",
			raw:      from + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\njunk line\r\n\r\nhello\r\n--b\r\nContent-Type: text/plain\r\n\r\nsecond\r\n--b--\r\n",
			text:     "junk line\n\nhello\nsecond",
			problems: []string{"header: missing blank line before body"},
		},
		{
			name:        "base64 part without closing boundary",
			raw:         from + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nhi\r\n--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nZm9vYmFy\r\nZm9v\r\n",
			text:        "hi",
			attachments: []string{"attachment-1.pdf=foobarfoo"},
			problems:    []string{"mime: missing closing boundary"},
		},
		{
			name:        "damaged base64",
			raw:         from + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nZm9v!!Ym*Fy\r\n--b--\r\n",
			attachments: []string{"attachment-1.pdf=foobar"},
			problems:    []string{"mime: damaged base64 body, decoded what could be read"},
		},
		{
			name:     "damaged quoted-printable",
			raw:      from + "Content-Transfer-Encoding: quoted-printable\r\n\r\nsoft=\r\r\nbreak caf=E9\r\n",
			text:     "softbreak café",
			problems: []string{"mime: damaged quoted-printable body, decoded what could be read"},
		},
		{
			name: "multipart without boundary parameter",
			raw:  from + "Content-Type: multipart/mixed\r\n\r\n--zz\r\n\r\nhi there\r\n--zz--\r\n",
			text: "hi there",
		},
		{
			name:     "boundary never appears",
			raw:      from + "Content-Type: multipart/mixed; boundary=q\r\n\r\njust text\r\n",
			text:     "just text",
			problems: []string{"mime: multipart/mixed without boundary lines, read as text"},
		},
		{
			name: "charset converted by go-message",
			raw:  from + "Content-Type: text/plain; charset=koi8-r\r\n\r\n\xf0\xd2\xc9\xd7\xc5\xd4\r\n",
			text: "Привет",
		},
		{
			name:     "unknown charset label",
			raw:      from + "Content-Type: text/plain; charset=x-nope\r\nContent-Transfer-Encoding: base64\r\n\r\nY2Fmw6k=\r\n",
			text:     "café",
			problems: []string{`charset: unknown "x-nope"`},
		},
		{
			name:        "8-bit file name in a part header",
			raw:         from + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/pdf; name=\"caf\xe9.pdf\"\r\n\r\nx\r\n--b--\r\n",
			attachments: []string{"café.pdf=x"},
		},
		{
			name:        "RFC 2231 continuation",
			raw:         from + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename*0*=UTF-8''Rechnung%20M;\r\n filename*1*=%C3%A4rz.pdf\r\n\r\nx\r\n--b--\r\n",
			attachments: []string{"Rechnung März.pdf=x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := Parse([]byte(tt.raw))
			checkInvariants(t, m)
			if m.Text != tt.text {
				t.Errorf("Text = %q, want %q", m.Text, tt.text)
			}
			var atts []string
			for _, a := range m.Attachments {
				atts = append(atts, a.Filename+"="+string(a.Data))
			}
			if !reflect.DeepEqual(atts, tt.attachments) {
				t.Errorf("attachments = %q, want %q", atts, tt.attachments)
			}
			if !reflect.DeepEqual(m.Problems, tt.problems) {
				t.Errorf("Problems = %q, want %q", m.Problems, tt.problems)
			}
		})
	}
}

// quotesOnly is when an empty VisibleText is right: the text has ">" quoted
// lines, or the HTML has a quote container.
func quotesOnly(m *Mail) bool {
	return strings.HasPrefix(m.Text, ">") || strings.Contains(m.Text, "\n>") || m.HTML != ""
}
