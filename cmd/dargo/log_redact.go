package main

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/dargo-support/dargo/internal/redact"
)

// emailRedaction replaces every email address in a log record.
const emailRedaction = redact.Mark

// redactEmails replaces the email addresses in s.
func redactEmails(s string) string { return redact.Emails(s) }

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
