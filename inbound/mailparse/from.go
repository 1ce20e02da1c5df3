package mailparse

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// parseFrom reads one From field strictly (RFC 5322). It returns the
// mailbox, how many mailboxes the field names, and why the field is not
// exactly one well-formed mailbox ("" when it is). An ambiguous From still
// yields the address a reply would go to, so the mail can be kept, but the
// pipeline treats it as unverified and never matches it to a participant.
func parseFrom(value string) (a Address, mailboxes int, ambiguous string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return Address{}, 0, "empty From"
	}
	list, err := parseAddresses(value)
	if err != nil || len(list) == 0 {
		a = looseFrom(value)
		if a.Email == "" {
			return Address{}, 0, "From is not a mailbox"
		}
		n := 0
		for _, part := range splitAddresses(value) {
			if looseEmail.MatchString(part) {
				n++
			}
		}
		if n > 1 {
			return a, n, fmt.Sprintf("From names %d mailboxes", n)
		}
		return a, 1, "From is not a well-formed mailbox: " + clip(value, 200)
	}
	a = Address{Name: collapseSpace(decodeWords(list[0].Name)), Email: strings.ToLower(list[0].Address)}
	if len(list) > 1 {
		return a, len(list), fmt.Sprintf("From names %d mailboxes", len(list))
	}
	if routeRE.MatchString(value) {
		return a, 1, "From uses a source route: " + clip(value, 200)
	}
	if hasControl(list[0].Name) {
		return a, 1, "From's display name hides control characters"
	}
	for _, e := range looseEmail.FindAllString(a.Name, -1) {
		if !strings.EqualFold(e, a.Email) {
			return a, 1, "From's display name shows another address (" + strings.ToLower(e) + ")"
		}
	}
	return a, 1, ""
}

// routeRE finds an obsolete source route (<@host:user@domain>), which
// clients show as the final address while it names another host.
var routeRE = regexp.MustCompile(`<\s*@`)

// looseFrom picks from a malformed From the mailbox a reply would reach:
// the last <address> outside quotes, else the last address-like word
// outside quotes. The first address of the field is often the decoy
// ("ada@example.com <attacker@attacker.test>").
func looseFrom(value string) Address {
	outside := stripQuoted(value)
	if i := strings.LastIndexByte(outside, '<'); i >= 0 {
		if e := looseEmail.FindString(outside[i:]); e != "" {
			return Address{Email: strings.ToLower(e)}
		}
	}
	all := looseEmail.FindAllString(outside, -1)
	if len(all) == 0 {
		return Address{}
	}
	return Address{Email: strings.ToLower(all[len(all)-1])}
}

// stripQuoted blanks out quoted strings and comments, keeping offsets.
func stripQuoted(s string) string {
	b := []byte(s)
	quoted, depth := false, 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\\' && (quoted || depth > 0) && i+1 < len(b):
			b[i], b[i+1] = ' ', ' '
			i++
		case c == '"' && depth == 0:
			quoted = !quoted
			b[i] = ' '
		case quoted:
			b[i] = ' '
		case c == '(':
			depth++
			b[i] = ' '
		case c == ')' && depth > 0:
			depth--
			b[i] = ' '
		case depth > 0:
			b[i] = ' '
		}
	}
	return string(b)
}

// hasControl reports control or format characters (line breaks, bidi
// overrides) in a decoded display name.
func hasControl(s string) bool {
	for _, r := range decodeWords(s) {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…" // never half a character
}
