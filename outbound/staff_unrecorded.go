package outbound

import (
	"strings"

	"github.com/dargo-support/dargo/store"
)

// BuildStaffUnrecorded makes the notice that a staff member's answer by
// mail to a digest about several tickets was not recorded and nothing was
// sent (store.EmailStaffUnrecorded): it cannot say which ticket it is for.
// The emails row's subject is the answer's. Its Reply-To is the address of
// no ticket, like the digest's: an answer to the notice is ignored too,
// and the store's hourly cap on these notices ends any loop. It is refused
// for anyone not staff.
func BuildStaffUnrecorded(o *store.Outgoing, opts Opts) (*Mail, error) {
	m, err := staffBase(o, "unrecorded answer notice", opts)
	if err != nil {
		return nil, err
	}
	m.ReplyTo = opts.StaffReplyTo(0, o.User.ID)
	m.Subject = "Your answer to a digest was not recorded"
	subject := cleanHeaderText(o.Email.Subject, maxSubject)
	if subject == "" {
		subject = "(no subject)"
	}
	v := view{Greet: true, Name: cleanHeaderText(o.User.Name, maxName), Team: team(opts), Subject: subject,
		Link: strings.TrimRight(opts.BaseURL, "/") + "/inbox"}
	return m, render(m, store.EmailStaffUnrecorded, v, opts)
}
