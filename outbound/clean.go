package outbound

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what user-supplied text may put into a header.
const (
	maxSubject  = 250 // runes
	maxName     = 120 // runes
	maxFilename = 150 // runes
	maxID       = 250 // bytes of a Message-ID
)

// cleanHeaderText makes user-supplied text safe for one header line: valid
// UTF-8, no control characters, no line or paragraph separators, no bidi
// overrides, single spaces, at most limit runes.
func cleanHeaderText(s string, limit int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	n := 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r): // tabs, CR, LF, NEL, U+2028, U+2029...
			space = b.Len() > 0
			continue
		case unicode.IsControl(r) || isBidiControl(r) || r == '\uFEFF':
			continue
		}
		if n >= limit {
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// isBidiControl reports the embedding, override and isolate controls that
// can make "gpj.exe" display as "exe.jpg".
func isBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069' || r == '\u200E' || r == '\u200F'
}

// cleanFilename makes an attachment name safe: one line, no path, not empty.
func cleanFilename(s string) string {
	s = strings.NewReplacer("/", "_", "\\", "_").Replace(s)
	s = cleanHeaderText(s, 1<<20)
	s = strings.Trim(s, " .")
	if utf8.RuneCountInString(s) > maxFilename {
		r := []rune(s)
		ext := ""
		if i := strings.LastIndexByte(s, '.'); i > 0 && len(s)-i <= 10 {
			ext = s[i:]
		}
		s = string(r[:maxFilename-utf8.RuneCountInString(ext)]) + ext
	}
	if s == "" {
		s = "attachment"
	}
	return s
}

// checkAddr returns addr when it is one bare, valid mailbox address.
func checkAddr(field, addr string) (string, error) {
	if addr == "" || strings.ContainsAny(addr, "<>\r\n\t ,;\"") || strings.IndexFunc(addr, unicode.IsControl) >= 0 {
		return "", fmt.Errorf("outbound: %s: invalid address %q", field, addr)
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr {
		return "", fmt.Errorf("outbound: %s: invalid address %q", field, addr)
	}
	return addr, nil
}

// cleanID returns a Message-ID without angle brackets, or "" when it is not
// one that can go into a header as it is.
func cleanID(id string) string {
	id = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
	if id == "" || len(id) > maxID || !strings.Contains(id, "@") {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' {
			return ""
		}
	}
	return id
}

// references is the References list: the thread's ids, then inReplyTo when
// it is not among them, without duplicates or malformed ids, capped to the
// first (the thread's root) and the newest maxRefs-1.
func references(ids []string, inReplyTo string) []string {
	const maxRefs = 10
	seen := make(map[string]bool, len(ids)+1)
	out := make([]string, 0, len(ids)+1)
	for _, id := range append(ids[:len(ids):len(ids)], inReplyTo) {
		if id = cleanID(id); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) > maxRefs {
		out = append(out[:1], out[len(out)-(maxRefs-1):]...)
	}
	return out
}
