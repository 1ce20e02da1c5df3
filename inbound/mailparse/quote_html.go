package mailparse

import (
	"bytes"
	"strings"
)

const (
	quoteNone = iota
	quoteNode // leave out this element
	quoteRest // leave out this element and everything after it
)

// quoteKind tells whether an element is quoted history as marked up by a
// mail client: Apple Mail and Thunderbird (blockquote type=cite,
// moz-cite-prefix), Gmail (gmail_quote), Yahoo (yahoo_quoted), Proton
// (protonmail_quote) and Outlook (divRplyFwdMsg, OLK_SRC_BODY_SECTION: the
// header block starts the history).
func quoteKind(tag string, a tagAttrs) int {
	if tag == "blockquote" && a.cite {
		return quoteNode
	}
	switch {
	case a.id == "divRplyFwdMsg" || a.id == "OLK_SRC_BODY_SECTION":
		return quoteRest
	case strings.HasPrefix(a.id, "yahoo_quoted"):
		return quoteNode
	}
	if a.class != "" {
		for _, c := range strings.Fields(a.class) {
			switch c {
			case "gmail_quote", "gmail_quote_container", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote":
				return quoteNode
			}
		}
	}
	return quoteNone
}

// startsWithForward reports whether one of the first three lines of text
// announces a forwarded message, which is content rather than history.
func startsWithForward(text []byte) bool {
	for range 3 {
		text = bytes.TrimLeft(text, " \n")
		if len(text) == 0 {
			return false
		}
		line, rest, _ := bytes.Cut(text, []byte("\n"))
		if isForwardLine(string(line)) {
			return true
		}
		text = rest
	}
	return false
}
