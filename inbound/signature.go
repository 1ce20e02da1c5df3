package inbound

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// StripSignature removes the signature from the end of a staff member's
// answer by mail: a "-- " delimiter line and everything after it; their own
// Dargo signature (own), which Dargo adds to the reply it sends anyway; and
// a mail client's sign-off ("Sent from my iPhone") where it ends the text.
// Trailing whitespace is trimmed.
func StripSignature(text, own string) string {
	lines := strings.Split(normalizeNewlines(text), "\n")
	for i, l := range lines {
		if strings.TrimRight(l, " \t") == "--" {
			lines = lines[:i]
			break
		}
	}
	sig := signatureLines(own)
	for {
		lines = dropBlankTail(lines)
		switch {
		case len(sig) > 0 && endsWith(lines, sig):
			lines = lines[:len(lines)-len(sig)]
		case len(lines) > 0 && isSignOff(lines, len(lines)-1):
			lines = lines[:len(lines)-1]
		default:
			return strings.Join(lines, "\n")
		}
	}
}

// signOff matches the lines mobile and webmail clients add under a mail, in
// the languages we see; "sent from my …" also needs a device word
// (signOffDevice), so "Sent from my office address." is text.
var signOff = regexp.MustCompile(`(?i)^(` + strings.Join([]string{
	`sent from my [\p{L}\p{N} ._'’®™&,-]{1,60}`,
	`sent from my android device with k-9 mail\. please excuse my brevity`,
	`sent (from|via|with) the samsung [\p{L}\p{N} ._'’®™&,-]{1,60}`,
	`sent from (outlook|mail|yahoo mail|aol|aol mail|gmail|gmail mobile|proton mail|protonmail|blackberry)( mobile| (for|on) [\p{L}\p{N} ._-]{1,30})?`,
	`get outlook for (ios|android)`,
	`envoyé (de|depuis) mon [\p{L}\p{N} ._'’-]{1,40}`,
	`(von meinem [\p{L}\p{N} ._-]{1,40} gesendet|gesendet von meinem [\p{L}\p{N} ._-]{1,40})`,
	`enviado (desde mi|do meu|a partir do meu) [\p{L}\p{N} ._-]{1,40}`,
	`inviato da (il mio |mio )?[\p{L}\p{N} ._-]{1,40}`,
	`inviato dal mio [\p{L}\p{N} ._-]{1,40}`,
	`(verzonden|verstuurd) (vanaf|met|van) mijn [\p{L}\p{N} ._-]{1,40}`,
	`wysłane z (mojego )?[\p{L}\p{N} ._'’-]{1,40}`,
	`sendt fra min [\p{L}\p{N} ._-]{1,40}`,
	`skickat från min [\p{L}\p{N} ._-]{1,40}`,
}, "|") + `)[.!]?$`)

var signOffDevice = regexp.MustCompile(`(?i)(iphone|ipad|ipod|android|blackberry|galaxy|samsung|mobile|phone|tablet|huawei|xiaomi|pixel|nokia|motorola|oneplus|xperia|lumia|windows|htc|oppo|honor|fairphone)`)

// isSignOff reports whether lines[i] is a mail client's sign-off standing on
// its own line: it starts with a capital and the line above, if any, is
// blank or ends a sentence, so "It was\nSent from my iPhone" stays text.
func isSignOff(lines []string, i int) bool {
	l := signOffLine(lines[i])
	if first, _ := utf8.DecodeRuneInString(l); !unicode.IsUpper(first) || !signOff.MatchString(l) {
		return false
	}
	if strings.HasPrefix(strings.ToLower(l), "sent from my ") && !signOffDevice.MatchString(l) {
		return false
	}
	if i == 0 {
		return true
	}
	above := strings.TrimRight(lines[i-1], " \t\u00a0")
	if above == "" || above == "--" {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(above)
	return strings.ContainsRune(".!?…)", r)
}

// signOffLine is a line as signOff reads it: trimmed, without the links
// Outlook and Yahoo put in it ("Get Outlook for iOS<https://aka.ms/o0ukef>",
// "Sent from Mail<https://…> for Windows").
func signOffLine(l string) string {
	l = strings.TrimSpace(l)
	for {
		i := strings.Index(l, "<http")
		if i < 0 {
			return l
		}
		j := strings.IndexByte(l[i:], '>')
		if j < 0 {
			return l
		}
		l = strings.TrimSpace(strings.TrimSpace(l[:i]) + " " + strings.TrimSpace(l[i+j+1:]))
	}
}

// maxSigLines is how many non-blank lines a "-- " signature may have for the
// visible text to drop it; a longer tail is more likely text.
const maxSigLines = 10

// dropSignature removes what signs off the end of a reply: client sign-offs
// on the last lines and a "-- " block (at most maxSigLines lines, none of
// them quoted). Blank lines at the end go too.
func dropSignature(lines []string) []string {
	for {
		lines = dropBlankTail(lines)
		n := len(lines)
		if n == 0 {
			return lines
		}
		if isSignOff(lines, n-1) {
			lines = lines[:n-1]
			continue
		}
		if i := sigDelimiter(lines); i >= 0 {
			lines = lines[:i]
			continue
		}
		return lines
	}
}

// sigDelimiter returns the index of a "-- " line among the last lines, or -1.
func sigDelimiter(lines []string) int {
	seen := 0
	for i := len(lines) - 1; i >= 0 && seen <= maxSigLines; i-- {
		l := strings.TrimRight(lines[i], " \t")
		switch {
		case l == "--":
			return i
		case l == "":
		case isQuoted(l):
			return -1
		default:
			seen++
		}
	}
	return -1
}

// signatureLines is a saved signature as lines with collapsed spaces,
// without blank lines around it; nil when there is none.
func signatureLines(s string) []string {
	lines := dropBlankTail(strings.Split(normalizeNewlines(s), "\n"))
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for i, l := range lines {
		lines[i] = collapse(l)
	}
	return lines
}

// endsWith reports whether the last lines of text are sig, spaces collapsed.
func endsWith(text, sig []string) bool {
	if len(text) < len(sig) {
		return false
	}
	tail := text[len(text)-len(sig):]
	for i := range sig {
		if collapse(tail[i]) != sig[i] {
			return false
		}
	}
	return true
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func dropBlankTail(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
