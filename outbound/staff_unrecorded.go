package outbound

import (
	"errors"
	"fmt"
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
	if o.User == nil || o.User.Role != store.RoleStaff && o.User.Role != store.RoleAdmin {
		return nil, fmt.Errorf("outbound: unrecorded answer notice %d: the recipient is not staff", o.Email.ID)
	}
	if opts.StaffReplyTo == nil {
		return nil, errors.New("outbound: unrecorded answer notice: no staff reply address")
	}
	m := base(Address{Name: cleanHeaderText(o.User.Name, maxName), Email: o.Email.ToEmail}, opts)
	m.From.Name = team(opts) + " notifications"
	m.Auto = true
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
