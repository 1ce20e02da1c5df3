package outbound

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// digestView is what the staff digest templates see: the tickets, each
// with its news.
type digestView struct {
	view
	Tickets    []digestTicket
	More       int // events left out past maxNoticeItems
	AccountURL string
	Several    bool // more than one ticket: an answer to the digest is recorded nowhere
}

// digestTicket is one ticket of a digest: its news and where to answer it.
type digestTicket struct {
	Number  int64
	Subject string
	URL     string // the ticket in the inbox
	ReplyTo string // the ticket's own staff reply address: answering it by mail
	Items   []noticeItem
}

// BuildStaffDigest makes the mail that tells a staff member about several
// tickets at once (store.EmailStaffDigest): one part per ticket, in the
// order their news came, each with its link and its own reply address.
// A digest about one ticket answers to that ticket's own staff address;
// one about several answers to the address of no ticket (number 0), since
// an answer to it cannot say which ticket it is for: it is recorded
// nowhere, and the mail says so above the list.
func BuildStaffDigest(o *store.Outgoing, n *store.StaffNotice, opts Opts) (*Mail, error) {
	if n == nil || len(n.Items) == 0 {
		return nil, fmt.Errorf("outbound: staff digest %d: no news", o.Email.ID)
	}
	m, err := staffBase(o, "staff digest", opts)
	if err != nil {
		return nil, err
	}
	site := strings.TrimRight(opts.BaseURL, "/")
	v := digestView{view: view{Team: team(opts)}, AccountURL: site + "/account"}
	items := n.Items
	if len(items) > maxNoticeItems {
		v.More = len(items) - maxNoticeItems
		items = items[len(items)-maxNoticeItems:]
	}
	at := map[int64]int{} // ticket id → index in v.Tickets
	for _, it := range items {
		if it.Ticket == nil {
			return nil, fmt.Errorf("outbound: staff digest %d: an event without its ticket", o.Email.ID)
		}
		i, ok := at[it.Ticket.ID]
		if !ok {
			i = len(v.Tickets)
			at[it.Ticket.ID] = i
			subject := cleanHeaderText(it.Ticket.Subject, 200)
			if subject == "" {
				subject = "(no subject)"
			}
			v.Tickets = append(v.Tickets, digestTicket{Number: it.Ticket.Number, Subject: subject,
				URL:     site + "/inbox/tickets/" + strconv.FormatInt(it.Ticket.Number, 10),
				ReplyTo: opts.StaffReplyTo(it.Ticket.Number, o.User.ID)})
		}
		v.Tickets[i].Items = append(v.Tickets[i].Items, noticeSection(it, it.Ticket.Number))
	}
	m.Subject = "News on " + strconv.Itoa(len(v.Tickets)) + " tickets"
	m.ReplyTo = opts.StaffReplyTo(0, o.User.ID)
	v.Several = len(v.Tickets) > 1
	if !v.Several {
		m.Subject = "News on #" + strconv.FormatInt(v.Tickets[0].Number, 10) + ": " + v.Tickets[0].Subject
		m.ReplyTo = v.Tickets[0].ReplyTo
	}
	v.Subject = m.Subject
	v.Site = site
	var text, html strings.Builder
	if err := textTemplates[store.EmailStaffDigest].ExecuteTemplate(&text, "layout", v); err != nil {
		return nil, fmt.Errorf("outbound: staff digest text: %w", err)
	}
	if err := htmlTemplates[store.EmailStaffDigest].ExecuteTemplate(&html, "layout", v); err != nil {
		return nil, fmt.Errorf("outbound: staff digest html: %w", err)
	}
	m.Text, m.HTML = text.String(), html.String()
	return m, nil
}
