package mailparse

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

// signOffs match the lines mobile and webmail clients add under a mail, in
// the languages we see, by their first word: one small pattern runs per
// candidate line. "sent from my …" also needs a device word (signOffDevices),
// so "Sent from my office address." is text. Lines longer than maxSignOff
// are never sign-offs.
var signOffs = map[string]*regexp.Regexp{}

func init() {
	const w = `[\p{L}\p{N} ._'’®™&,-]+`
	for word, pattern := range map[string]string{
		"sent": `sent (from my ` + w + `|from my android device with k-9 mail\. please excuse my brevity|(from|via|with) the samsung ` + w +
			`|from (outlook|mail|yahoo mail|aol|aol mail|gmail|gmail mobile|proton mail|protonmail|blackberry)( mobile| (for|on) ` + w + `)?)`,
		"get":       `get outlook for (ios|android)`,
		"envoyé":    `envoyé (de|depuis) mon ` + w,
		"von":       `von meinem ` + w + ` gesendet`,
		"gesendet":  `gesendet von meinem ` + w,
		"enviado":   `enviado (desde mi|do meu|a partir do meu) ` + w,
		"inviato":   `inviato (da|dal mio) ` + w,
		"verzonden": `verzonden (vanaf|met|van) mijn ` + w,
		"verstuurd": `verstuurd (vanaf|met|van) mijn ` + w,
		"wysłane":   `wysłane z ` + w,
		"sendt":     `sendt fra min ` + w,
		"skickat":   `skickat från min ` + w,
	} {
		signOffs[word] = regexp.MustCompile(`(?i)^` + pattern + `[.!]?$`)
	}
}

const maxSignOff = 120

var signOffDevices = []string{"iphone", "ipad", "ipod", "android", "blackberry", "galaxy", "samsung", "mobile", "phone", "tablet",
	"huawei", "xiaomi", "pixel", "nokia", "motorola", "oneplus", "xperia", "lumia", "windows", "htc", "oppo", "honor", "fairphone"}

// signOffMatch reports whether the trimmed line l is a client's sign-off.
func signOffMatch(l string) bool {
	if len(l) > maxSignOff {
		return false
	}
	if first, _ := utf8.DecodeRuneInString(l); !unicode.IsUpper(first) {
		return false
	}
	word, _, _ := strings.Cut(l, " ")
	re := signOffs[strings.ToLower(word)]
	if re == nil || !re.MatchString(l) {
		return false
	}
	lower := strings.ToLower(l)
	if strings.HasPrefix(lower, "sent from my ") {
		for _, d := range signOffDevices {
			if strings.Contains(lower, d) {
				return true
			}
		}
		return false
	}
	return true
}

// isSignOff reports whether lines[i] is a mail client's sign-off standing on
// its own line: it starts with a capital and the line above, if any, is
// blank or ends a sentence, so "It was\nSent from my iPhone" stays text.
func isSignOff(lines []string, i int) bool {
	if !signOffMatch(signOffLine(lines[i])) {
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
