package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// person is a LogValuer whose value carries an address.
type person struct{ email string }

func (p person) LogValue() slog.Value { return slog.GroupValue(slog.String("who", p.email)) }

func TestLogsCarryNoEmailAddresses(t *testing.T) {
	for _, text := range []bool{true, false} {
		var buf bytes.Buffer
		log := newLogger(&buf, slog.LevelDebug, text).With("ticket", 7, "customer", "ada@example.com")
		err := fmt.Errorf("send: %w", errors.New(`550 5.1.1 <Grace.Hopper+desk@mail.example.org>: no such user`))
		log.WithGroup("mail").Warn("mail to jürgen.müller@example.de bounced",
			"err", err,
			"from", `"Ada Lovelace" <ada@example.com>`,
			slog.Group("envelope", "rcpt", "support+12-ab3f@help.example.com", "count", 2),
			"person", person{"linus@localhost"},
			"list", []string{"x@example.net", "ok"},
			"quoted", `"john doe"@example.com`,
			"plain", "no address here, just @mentions and a@ sign",
		)
		out := buf.String()
		for _, addr := range []string{"ada@", "Grace.Hopper", "jürgen", "müller@", "support+12", "linus@", "x@example.net", "john doe", "@example", "@localhost", "@mail.example.org", "@help.example.com"} {
			if strings.Contains(out, addr) {
				t.Errorf("text=%v: %q is in the log:\n%s", text, addr, out)
			}
		}
		for _, kept := range []string{"bounced", "550 5.1.1", "no such user", "[email]", "ticket", "just @mentions and a@ sign", "count"} {
			if !strings.Contains(out, kept) {
				t.Errorf("text=%v: %q is missing from the log:\n%s", text, kept, out)
			}
		}
	}
}

func TestRedactEmails(t *testing.T) {
	for in, want := range map[string]string{
		"ada@example.com":                       "[email]",
		"Ada <ada@example.com>, bob@x.org":      "Ada <[email]>, [email]",
		"admin@localhost signed in":             "[email] signed in",
		"postgres://user:pw@db.internal:5432/x": "postgres://user:[email]:5432/x",
		"an @ alone, or a trailing a@":          "an @ alone, or a trailing a@",
		"nothing to see":                        "nothing to see",
	} {
		if got := redactEmails(in); got != want {
			t.Errorf("redactEmails(%q) = %q, want %q", in, got, want)
		}
	}
}
