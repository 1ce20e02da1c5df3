package outbound

import (
	"errors"
	"fmt"

	"github.com/dargo-support/dargo/store"
)

// BuildTooLarge makes the notice to someone whose mail was held because it
// is larger than opts.MailLimit: it was not delivered, the limit, and what
// to do instead. subject is the held mail's subject ("" when it had none).
// It is marked Auto, so a vacation responder does not answer it.
func BuildTooLarge(to Address, subject string, opts Opts) (*Mail, error) {
	if opts.MailLimit <= 0 {
		return nil, errors.New("outbound: too-large notice without a size limit")
	}
	m := base(to, opts)
	m.Subject, m.Auto = "Your message was not delivered: it is larger than "+sizeWords(opts.MailLimit), true
	v := view{Greet: true, Name: cleanHeaderText(to.Name, maxName), Team: team(opts),
		Subject: cleanHeaderText(subject, maxSubject), Limit: sizeWords(opts.MailLimit)}
	return m, render(m, store.EmailTooLarge, v, opts)
}

// sizeWords says a byte count the way mail programs do: "40 MB", "2.5 MB".
func sizeWords(n int64) string {
	const mb = 1 << 20
	switch {
	case n%mb == 0:
		return fmt.Sprintf("%d MB", n/mb)
	case n >= mb:
		return fmt.Sprintf("%.1f MB", float64(n)/mb)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
