package mailparse

import (
	"regexp"
	"strings"
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
		case len(lines) > 0 && signOff.MatchString(signOffLine(lines[len(lines)-1])):
			lines = lines[:len(lines)-1]
		default:
			return strings.Join(lines, "\n")
		}
	}
}

// signOff matches the lines mobile and webmail clients add under a mail.
var signOff = regexp.MustCompile(`(?i)^(` + strings.Join([]string{
	`sent from my [\p{L}\p{N} ._-]{1,40}`,
	`sent from (outlook|mail) for (ios|android|windows(\s*10)?)`,
	`sent from outlook`,
	`get outlook for (ios|android)`,
	`envoyé de mon [\p{L}\p{N} ._-]{1,40}`,
	`von meinem [\p{L}\p{N} ._-]{1,40} gesendet`,
	`enviado desde mi [\p{L}\p{N} ._-]{1,40}`,
}, "|") + `)[.!]?$`)

// signOffLine is a line as signOff reads it: trimmed, without the link
// Outlook puts after its name ("Get Outlook for iOS<https://aka.ms/o0ukef>").
func signOffLine(l string) string {
	l = strings.TrimSpace(l)
	if i := strings.Index(l, "<http"); i > 0 && strings.HasSuffix(l, ">") {
		l = strings.TrimSpace(l[:i])
	}
	return l
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
