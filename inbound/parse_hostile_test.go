package inbound

import (
	"strings"
	"testing"
	"time"
)

// TestParseHostileShapes feeds shapes that would be slow with a quadratic
// step somewhere; each must parse well within a second.
func TestParseHostileShapes(t *testing.T) {
	const n = 20000
	head := "From: a@example.com\r\nSubject: x\r\n"
	tests := map[string]string{
		"nested cite quotes": head + "Content-Type: text/html\r\n\r\n" + strings.Repeat(`<blockquote type="cite">x`, n),
		"nested divs":        head + "Content-Type: text/html\r\n\r\n" + strings.Repeat(`<div class="gmail_quote">`, n) + "x" + strings.Repeat(`</div>`, n),
		"folded header":      "From: a@example.com\r\nSubject: x" + strings.Repeat("\r\n y", n) + "\r\n\r\nbody",
		"encoded-word junk":  "From: a@example.com\r\nSubject: " + strings.Repeat("=?", n) + "\r\n\r\nbody",
		"colon lines":        head + "\r\n" + strings.Repeat("On x wrote:\r\n", n),
		"junk header lines":  strings.Repeat("junk\r\nX-A: b\r\n", n) + "\r\nbody",
		"many parts":         head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n\r\nx\r\n", n) + "--b--\r\n",
		"nested multiparts":  head + strings.Repeat("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n", 200) + "\r\nx",
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			m, _ := Parse([]byte(raw))
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v", d)
			}
			if m.Text != "" && m.VisibleText == "" {
				t.Errorf("empty VisibleText")
			}
		})
	}
}
