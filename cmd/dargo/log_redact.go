package main

import (
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// emailRedaction replaces every email address in a log record.
const emailRedaction = "[email]"

// emailPattern finds email addresses: a dot-atom or quoted local part
// (letters of any script, for SMTPUTF8), "@", and a domain of one label or
// more. It errs on the side of redacting: a Message-ID looks the same.
var emailPattern = regexp.MustCompile(`(?:"[^"\r\n]*"|[\p{L}\p{N}.!#$%&'*+/=?^_` + "`" + `{|}~-]+)@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*`)

// redactEmails replaces the email addresses in s.
func redactEmails(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return emailPattern.ReplaceAllString(s, emailRedaction)
}

// redactAttr is the loggers' ReplaceAttr: no email address reaches a log,
// so erasing a person needs nothing from the logs. slog calls it for the
// message too, and for each member of a group (With and WithGroup ones
// included); values are already resolved (LogValuer). Errors, Stringers and
// any other value that prints with an "@" become their redacted text.
func redactAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); strings.Contains(s, "@") {
			a.Value = slog.StringValue(redactEmails(s))
		}
	case slog.KindAny:
		var s string
		switch v := a.Value.Any().(type) {
		case error:
			s = v.Error()
		case fmt.Stringer:
			s = v.String()
		default:
			s = fmt.Sprintf("%+v", v)
		}
		if strings.Contains(s, "@") {
			a.Value = slog.StringValue(redactEmails(s))
		}
	}
	return a
}
