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
	sig := signatureLines(own)
	ownDone, signOffDone, blockDone := false, false, false
	for {
		lines = dropBlankTail(lines)
		switch {
		case !ownDone && len(sig) > 0 && endsWith(lines, sig):
			lines, ownDone = lines[:len(lines)-len(sig)], true
		case !signOffDone && len(lines) > 0 && isSignOff(lines, len(lines)-1):
			lines, signOffDone = lines[:len(lines)-1], true
		case !blockDone && sigDelimiter(lines) >= 0:
			lines, blockDone = lines[:sigDelimiter(lines)], true
		default:
			return strings.Join(lines, "\n")
		}
	}
}

// signOffs match the lines mobile and webmail clients add under a mail, in
// the languages we see, by their first word: one small pattern runs per
// candidate line. Each pattern captures its device or app phrase: a few
// words, at most maxSignOffPhrase bytes, without commas or semicolons (an
// apostrophe only as a short suffix, "iPhone'a"), and the line ends right
// after it. "sent from my …" also needs a device word (signOffDevices), so
// "Sent from my office address." is text; where a phrase names a device,
// only model words may follow it (deviceTail), so "Sent from my iPad the
// upload works fine." is text too.
var signOffs = map[string]*regexp.Regexp{}

func init() {
	const w = `([\p{L}\p{N}._®™&-]+(?:['’]\p{L}{1,3})?(?: [\p{L}\p{N}._®™&-]+(?:['’]\p{L}{1,3})?){0,4})`
	for word, pattern := range map[string]string{
		"sent": `sent (?:from my ` + w + `|from my (?:verizon|sprint|at&t|t-mobile|u\.s\. cellular), ` + w + `|from my android device with k-9 mail\. please excuse my brevity|(?:from|via|with) the samsung ` + w + `(?:, an? ` + w + `)?` +
			`|from (?:outlook|mail|yahoo mail|aol|aol mail|gmail|gmail mobile|proton mail|protonmail|blackberry)(?: mobile| (?:for|on) ` + w + `)?)`,
		"get":       `get outlook for (?:ios|android)`,
		"envoyé":    `envoyé (?:de|depuis) mon ` + w,
		"von":       `von meinem ` + w + ` gesendet`,
		"gesendet":  `gesendet von meinem ` + w,
		"enviado":   `enviado (?:desde mi|do meu|a partir do meu) ` + w,
		"inviato":   `inviato (?:da|dal mio) ` + w,
		"verzonden": `verzonden (?:vanaf|met|van) mijn ` + w,
		"verstuurd": `verstuurd (?:vanaf|met|van) mijn ` + w,
		"wysłane":   `wysłane z ` + w,
		"sendt":     `sendt fra min ` + w,
		"skickat":   `skickat från min ` + w,
	} {
		signOffs[word] = regexp.MustCompile(`(?i)^` + pattern + ` ?[.!…]*$`)
	}
}

const maxSignOff = 120

// maxSignOffPhrase bounds the device or app phrase of a sign-off.
const maxSignOffPhrase = 40

var signOffDevices = []string{"iphone", "ipad", "ipod", "android", "blackberry", "galaxy", "samsung", "mobile", "phone", "tablet",
	"huawei", "xiaomi", "pixel", "nokia", "motorola", "oneplus", "xperia", "lumia", "windows", "htc", "oppo", "honor", "fairphone"}

// modelWords may follow a device word in a sign-off ("iPhone 15 Pro Max").
var modelWords = map[string]bool{"pro": true, "max": true, "plus": true, "mini": true, "ultra": true, "air": true, "lite": true,
	"se": true, "xr": true, "xs": true, "note": true, "edge": true, "fold": true, "flip": true, "smartphone": true, "device": true,
	"tablet": true, "phone": true, "mobile": true, "5g": true, "4g": true, "lte": true}

// signOffMatch reports whether the trimmed line l is a client's sign-off.
func signOffMatch(l string) bool {
	if len(l) > maxSignOff {
		return false
	}
	if first, _ := utf8.DecodeRuneInString(l); !unicode.IsUpper(first) {
		return false
	}
	l = strings.TrimRight(l, " .!…") // trailing punctuation is no phrase word
	word, _, _ := strings.Cut(l, " ")
	re := signOffs[strings.ToLower(word)]
	if re == nil {
		return false
	}
	m := re.FindStringSubmatch(l)
	if m == nil {
		return false
	}
	lower := strings.ToLower(l)
	mine := strings.HasPrefix(lower, "sent from my ") && !strings.HasPrefix(lower, "sent from my android device with k-9")
	for _, phrase := range m[1:] {
		if phrase == "" {
			continue
		}
		if len(phrase) > maxSignOffPhrase {
			return false
		}
		found, ok := deviceTail(strings.ToLower(phrase))
		if !ok || (mine && !found) {
			return false
		}
	}
	return true
}

// deviceTail reports whether phrase names a device (found) and, if so,
// whether only model words follow the last word that names it (ok).
func deviceTail(phrase string) (found, ok bool) {
	words := strings.Fields(phrase)
	last := -1
	for i, w := range words {
		for _, d := range signOffDevices {
			if strings.Contains(w, d) {
				last = i
				break
			}
		}
	}
	if last < 0 {
		return false, true
	}
	tail := words[last+1:]
	if len(tail) > 3 {
		return true, false
	}
	for _, w := range tail {
		if !modelWords[w] && !strings.ContainsAny(w, "0123456789") {
			return true, false
		}
	}
	return true, true
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

// dropSignature removes what signs off the end of a reply: one client
// sign-off line and the last "-- " block (at most maxSigLines lines, none of
// them quoted), each at most once, so text between "--" lines is never eaten
// block by block. Blank lines at the end go too.
func dropSignature(lines []string) []string {
	signOff := false
	lines = dropBlankTail(lines)
	if n := len(lines); n > 0 && isSignOff(lines, n-1) {
		lines, signOff = dropBlankTail(lines[:n-1]), true
	}
	if i := sigDelimiter(lines); i >= 0 {
		lines = dropBlankTail(lines[:i])
		if n := len(lines); !signOff && n > 0 && isSignOff(lines, n-1) {
			lines = dropBlankTail(lines[:n-1])
		}
	}
	return lines
}

// sigDelimiter returns the index of the "-- " line that starts the
// signature at the end of lines, or -1: the last "--" line, with at most
// maxSigLines non-blank lines below it and no quoted line. A "--" line with
// another one just above it (within maxSigLines lines) separates parts of
// the text and is no delimiter.
func sigDelimiter(lines []string) int {
	at := -1
	seen := 0
	for i := len(lines) - 1; i >= 0 && seen <= maxSigLines; i-- {
		l := strings.TrimRight(lines[i], " \t")
		switch {
		case l == "--":
			if at >= 0 {
				return -1
			}
			at, seen = i, 0
		case l == "":
		case isQuoted(l):
			return at
		default:
			seen++
		}
	}
	return at
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
