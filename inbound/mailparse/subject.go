package mailparse

import (
	"regexp"
	"strconv"
	"strings"
)

var tagRE = regexp.MustCompile(`\[#(\d{1,18})\]`)

// SubjectTag reads our [#N] ticket tag from a subject.
func SubjectTag(subject string) (int64, bool) {
	m := tagRE.FindStringSubmatch(subject)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n, err == nil && n > 0
}

// prefixRE matches reply and forward prefixes in the languages clients use,
// with an optional count ("Re[2]:") and full-width colon.
var prefixRE = regexp.MustCompile(`(?i)^\s*(re|aw|sv|vs|fw|fwd|wg|tr|rv|enc|antw|odp|ynt|réf|rif|回复|回覆|答复|转发|轉寄)\s*(\[\d+\]|\(\d+\))?\s*[:：]\s*`)

// CleanSubject removes reply/forward prefixes and our [#N] tag; an empty
// result becomes "(no subject)".
func CleanSubject(s string) string {
	s = tagRE.ReplaceAllString(s, "")
	for {
		loc := prefixRE.FindStringIndex(s)
		if loc == nil {
			break
		}
		s = s[loc[1]:]
	}
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(no subject)"
	}
	return s
}
