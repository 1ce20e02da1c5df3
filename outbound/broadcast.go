package outbound

import (
	"errors"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// BuildBroadcast makes one recipient's copy of a broadcast: the text as
// written (plain text; the HTML part is that text escaped), a greeting, and
// a footer that says why the recipient gets it. It is marked Auto, so
// vacation responders stay quiet instead of answering ten thousand times;
// replies go to the From address, where they become tickets.
func BuildBroadcast(to Address, subject, body string, opts Opts) (*Mail, error) {
	return buildNotice(store.EmailBroadcast, to, subject, body, opts)
}

// BuildPolicyNotice makes one recipient's copy of a significant policy
// change's broadcast: as BuildBroadcast, with a footer that says why it
// comes even to people who turned optional mail off.
func BuildPolicyNotice(to Address, subject, body string, opts Opts) (*Mail, error) {
	return buildNotice(store.EmailPolicyNotice, to, subject, body, opts)
}

func buildNotice(kind string, to Address, subject, body string, opts Opts) (*Mail, error) {
	subject = cleanHeaderText(subject, maxSubject)
	if subject == "" || strings.TrimSpace(body) == "" {
		return nil, errors.New("outbound: " + kind + " without subject or text")
	}
	m := base(to, opts)
	m.Subject, m.Auto = subject, true
	v := view{Greet: true, Name: cleanHeaderText(to.Name, maxName), Team: team(opts), Subject: subject,
		Body: normalizeNewlines(strings.TrimSpace(body)), Link: strings.TrimRight(opts.BaseURL, "/")}
	return m, render(m, kind, v, opts)
}
