package store

import (
	"strings"
	"testing"
)

// BenchmarkScrubHTML scrubs a 100 KB sanitized HTML message that names the
// person once, the worst case (it is parsed and re-rendered).
func BenchmarkScrubHTML(b *testing.B) {
	body := strings.Repeat(`<p>The printer on floor <b>3</b> is <a href="https://example.com/x">out of toner</a> again.</p>`, 1000)
	in := `<p>Hello Zelda Quixote, write to <a href="mailto:zelda@example.org">zelda@example.org</a>.</p>` + body
	s := newScrubber([]string{"zelda@example.org"}, "Zelda Quixote")
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if out := s.html(in); !strings.HasPrefix(out, "<p>Hello [erased]") {
			b.Fatalf("not scrubbed: %.80s", out)
		}
	}
}
