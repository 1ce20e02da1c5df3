package mailparse

import (
	"reflect"
	"testing"
)

// TestParseTextIsParseWithoutHTML checks that ParseText gives everything
// Parse gives except the sanitized HTML, for an HTML mail, a text mail and
// a hostile one.
func TestParseTextIsParseWithoutHTML(t *testing.T) {
	mails := map[string][]byte{
		"mixed charset":  mixedCharsetMail20KB(),
		"bench":          benchMail20KB(),
		"plain":          []byte("From: a@example.com\r\nSubject: hi\r\n\r\nHello\r\n\r\nOn Mon, B wrote:\r\n> old\r\n"),
		"hostile html":   []byte("From: a@example.com\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script><p onclick=x>Hi</p>"),
		"no header":      []byte("just text"),
		"nested quotes":  []byte(hostileShapes(200)["nested cite quotes"]),
		"many parts":     []byte(hostileShapes(200)["many parts"]),
		"damaged base64": []byte("From: a@example.com\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+aGk8L2I+!!!\r\n"),
	}
	for name, raw := range mails {
		t.Run(name, func(t *testing.T) {
			full, ferr := Parse(raw)
			text, terr := ParseText(raw)
			if ferr != terr {
				t.Fatalf("errors differ: Parse %v, ParseText %v", ferr, terr)
			}
			if text.HTML != "" {
				t.Fatalf("ParseText gave HTML %q", text.HTML)
			}
			// SafeHTML sanitizes later exactly what Parse sanitized at once,
			// and keeps it: a second call gives the same string.
			if got := text.SafeHTML(); got != full.HTML || text.SafeHTML() != got {
				t.Fatalf("SafeHTML after ParseText %q, Parse gave %q", got, full.HTML)
			}
			if !reflect.DeepEqual(full, text) {
				t.Fatalf("ParseText then SafeHTML differs from Parse:\n%+v\n%+v", full, text)
			}
		})
	}
}
