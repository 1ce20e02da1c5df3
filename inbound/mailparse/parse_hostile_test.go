package mailparse

import (
	"runtime"
	"strings"
	"testing"
)

// hostileShapes are mails that would be slow with a quadratic step
// somewhere, built with n repetitions of their troublesome part.
func hostileShapes(n int) map[string]string {
	head := "From: a@example.com\r\nSubject: x\r\n"
	return map[string]string{
		"nested cite quotes": head + "Content-Type: text/html\r\n\r\n" + strings.Repeat(`<blockquote type="cite">x`, n),
		"nested divs":        head + "Content-Type: text/html\r\n\r\n" + strings.Repeat(`<div class="gmail_quote">`, n) + "x" + strings.Repeat(`</div>`, n),
		"folded header":      "From: a@example.com\r\nSubject: x" + strings.Repeat("\r\n y", n) + "\r\n\r\nbody",
		"encoded-word junk":  "From: a@example.com\r\nSubject: " + strings.Repeat("=?", n) + "\r\n\r\nbody",
		"colon lines":        head + "\r\n" + strings.Repeat("On x wrote:\r\n", n),
		"junk header lines":  strings.Repeat("junk\r\nX-A: b\r\n", n) + "\r\nbody",
		"many parts":         head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n\r\nx\r\n", n) + "--b--\r\n",
		"nested multiparts":  head + strings.Repeat("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n", 200) + "\r\nx", // deeper than the parser's depth limit, at any n
	}
}

// TestParseHostileShapes parses each hostile shape at two sizes and checks
// that the work (bytes allocated, which does not depend on how busy the
// machine is) grows about linearly: doubling the input may at most triple
// it. Time is measured by BenchmarkParseHostileShapes, never asserted.
func TestParseHostileShapes(t *testing.T) {
	const n = 10000
	small, large := hostileShapes(n), hostileShapes(2*n)
	for name := range small {
		t.Run(name, func(t *testing.T) {
			a := allocated(func() {
				m, _ := Parse([]byte(small[name]))
				if m.Text != "" && m.VisibleText == "" && !quotesOnly(m) {
					t.Errorf("empty VisibleText")
				}
			})
			b := allocated(func() { Parse([]byte(large[name])) })
			if b > 3*a+1<<20 {
				t.Errorf("twice the input allocated %d bytes against %d: not linear", b, a)
			}
		})
	}
}

// allocated is how many bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// BenchmarkParseHostileShapes times each hostile shape at 20,000 repetitions.
func BenchmarkParseHostileShapes(b *testing.B) {
	for name, raw := range hostileShapes(20000) {
		b.Run(strings.ReplaceAll(name, " ", "-"), func(b *testing.B) {
			data := []byte(raw)
			for b.Loop() {
				Parse(data)
			}
		})
	}
}
