package mailparse

import (
	"net/url"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// htmlPolicy is bluemonday's UGC policy plus cid: URLs for inline images. It
// is built once and only read afterwards, so it is safe to share.
var htmlPolicy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemeWithCustomPolicy("cid", func(*url.URL) bool { return true })
	// No AddTargetBlankToFullyQualifiedLinks: it re-parses every link and
	// costs a quarter of sanitizing. Where links open is the display's
	// business (a <base target="_blank"> in the frame that shows the mail).
	return p
}()

// SanitizeHTML makes an HTML mail body safe to display: no scripts, event
// handlers, javascript: URLs, forms, iframes or styles. Links and images
// with http(s) or cid: sources are kept.
//
// It gives exactly what htmlPolicy.Sanitize gives, with less copying: the
// output is written into one buffer sized from the input (sanitized mail
// HTML is rarely much longer than its source) and returned without the
// final copy bluemonday's own buffer makes.
func SanitizeHTML(s string) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	if err := htmlPolicy.SanitizeReaderToWriter(strings.NewReader(s), &b); err != nil {
		return "" // as Sanitize does when the tokenizer fails
	}
	return b.String()
}
