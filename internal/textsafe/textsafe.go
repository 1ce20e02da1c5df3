// Package textsafe strips the invisible Unicode format characters that make
// text display as something other than what it is: bidi controls that turn
// "evil\u202egpj.html" into what reads as "evilhtml.jpg", and zero-width
// characters that hide inside words. Inbound mail and the web forms both
// clean subjects and file names with it on the way in.
package textsafe

import "strings"

// Hidden reports whether r is an invisible format character Clean removes:
// the bidi embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069), the bidi marks (U+200E, U+200F, U+061C), and characters
// that are invisible by design (U+00AD soft hyphen, U+180E, U+200B zero
// width space, U+2060–U+2064, U+206A–U+206F, U+FEFF, U+FFF9–U+FFFB).
// The zero-width joiner and non-joiner (U+200C, U+200D) stay: scripts and
// emoji need them, and they do not reorder text.
func Hidden(r rune) bool {
	switch {
	case r < 0xad:
		return false
	case r == 0xad, r == 0x61c, r == 0x180e, r == 0x200b, r == 0x200e, r == 0x200f, r == 0xfeff:
		return true
	case 0x202a <= r && r <= 0x202e, 0x2060 <= r && r <= 0x2064, 0x2066 <= r && r <= 0x206f, 0xfff9 <= r && r <= 0xfffb:
		return true
	}
	return false
}

// Clean returns s without the characters Hidden reports.
func Clean(s string) string {
	if strings.IndexFunc(s, Hidden) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if Hidden(r) {
			return -1
		}
		return r
	}, s)
}
