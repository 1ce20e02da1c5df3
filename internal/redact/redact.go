// Package redact removes email addresses from text that leaves Dargo's
// database: log lines, and the error texts asynq keeps in Redis (and shows
// on /admin/queues), so that erasing a person needs nothing from either.
package redact

import (
	"regexp"
	"strings"
)

// Mark replaces every email address.
const Mark = "[email]"

// emailPattern finds email addresses: a dot-atom or quoted local part
// (letters of any script, for SMTPUTF8), "@", and a domain of one label or
// more. It errs on the side of redacting: a Message-ID looks the same.
var emailPattern = regexp.MustCompile(`(?:"[^"\r\n]*"|[\p{L}\p{N}.!#$%&'*+/=?^_` + "`" + `{|}~-]+)@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*`)

// Emails replaces the email addresses in s with Mark.
func Emails(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return emailPattern.ReplaceAllString(s, Mark)
}

// Error is err with the email addresses of its text redacted; errors.Is
// and errors.As still see err. Nil stays nil.
func Error(err error) error {
	if err == nil {
		return nil
	}
	return redacted{err}
}

type redacted struct{ err error }

func (r redacted) Error() string { return Emails(r.err.Error()) }
func (r redacted) Unwrap() error { return r.err }
