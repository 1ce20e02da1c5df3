package outbound

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dargo-support/dargo/store"
)

// maxNoticeItems is how many events one notice lists; the rest are on the
// ticket, which its link opens.
const maxNoticeItems = 50

// noticeView is what the staff notice templates see: the layout's fields
// and one section per event.
type noticeView struct {
	view
	Items      []noticeItem
	More       int      // events left out past maxNoticeItems
	People     []string // who else is on the ticket, one line each
	AccountURL string
}

// noticeItem is one event of a notice, as its section shows it.
type noticeItem struct {
	Heading string // "Ana wrote:", "Mia assigned #12 to you"
	Text    string
	Files   []string
}

// BuildStaffNotice makes the notice mail that tells a staff member about a
// ticket: one section per event, who is on the ticket, a link to it and
// the commands an answer by mail may start with. Its Reply-To is the
// address signed for this person and ticket; its subject and References
// stay the same for every notice about the ticket, so mail clients thread
// them. It quotes internal notes, so it is refused for anyone not staff.
func BuildStaffNotice(o *store.Outgoing, n *store.StaffNotice, opts Opts) (*Mail, error) {
	if o.Ticket == nil || n == nil {
		return nil, fmt.Errorf("outbound: staff notice %d: no ticket", o.Email.ID)
	}
	m, err := staffBase(o, "staff notice", opts)
	if err != nil {
		return nil, err
	}
	t := o.Ticket
	m.Ticket = t.Number
	m.ReplyTo = opts.StaffReplyTo(t.Number, o.User.ID)
	m.Subject = t.Subject
	if m.Subject == "" {
		m.Subject = o.Email.Subject
	}
	if m.Subject == "" {
		m.Subject = "(no subject)"
	}
	root := noticeRoot(t.Number, o.User.ID, opts.MailDomain)
	m.References = append([]string{root}, n.Earlier...)
	m.InReplyTo = m.References[len(m.References)-1]

	site := strings.TrimRight(opts.BaseURL, "/")
	v := noticeView{
		view: view{Team: team(opts), Number: t.Number, Subject: m.Subject,
			TicketURL: site + "/inbox/tickets/" + strconv.FormatInt(t.Number, 10)},
		AccountURL: site + "/account",
		People:     noticePeople(n, o.User.ID),
	}
	items := n.Items
	if len(items) > maxNoticeItems {
		v.More = len(items) - maxNoticeItems
		items = items[len(items)-maxNoticeItems:]
	}
	for _, it := range items {
		v.Items = append(v.Items, noticeSection(it, t.Number))
	}
	return m, renderNotice(m, v, opts)
}

// noticeRoot is the Message-ID every notice to one person about one ticket
// refers to first. No mail has it: it only ties the notices together, the
// first one included.
func noticeRoot(number, userID int64, domain string) string {
	if domain = cleanHeaderText(domain, 200); domain == "" || strings.ContainsAny(domain, "<>@ ") {
		domain = "localhost"
	}
	return "ticket-" + strconv.FormatInt(number, 10) + ".staff-" + strconv.FormatInt(userID, 10) + "@" + domain
}

// noticeSection is the section that tells of one event.
func noticeSection(it store.NoticeItem, number int64) noticeItem {
	actor := "Someone"
	if it.Actor != nil {
		actor = personName(*it.Actor)
	}
	tag := "#" + strconv.FormatInt(number, 10)
	// An inbound mail whose sender was not proven may be forged: the
	// heading says so, as the inbox does.
	unproven := ""
	if m := it.Message; m != nil && m.Kind == store.MessageInbound && m.SenderAuth != store.SenderVerified {
		unproven = " (sender not verified)"
	}
	var s noticeItem
	switch it.Kind {
	case store.NoticeNewTicket:
		s.Heading = "New ticket from " + personAddr(it.Author) + unproven
	case store.NoticeCustomerReply:
		s.Heading = "Someone wrote" + unproven + ":"
		if it.Author != nil {
			s.Heading = personName(*it.Author) + " wrote" + unproven + ":"
		}
		if m := it.Message; m != nil && m.ForwardID != nil {
			s.Heading = "An answer to a forward (an internal note; sender not verified):"
			if it.Author != nil {
				s.Heading = personName(*it.Author) + " answered a forward (an internal note; sender not verified):"
			}
		}
	case store.NoticeAssigned:
		s.Heading = actor + " assigned " + tag + " to you"
		if it.Actor == nil {
			s.Heading = tag + " was assigned to you"
		}
	case store.NoticeMention:
		s.Heading = actor + " mentioned you in a note:"
	case store.NoticePrivacyDue:
		s.Heading = "Privacy request due " + dueDate(it.Detail)
	case store.NoticeSnoozeEnded:
		s.Heading = tag + " is back from its snooze: it needs your attention again"
	case store.NoticeSLABreach:
		target, due, _ := strings.Cut(it.Detail, "|")
		what := "Resolution"
		if target == "first_response" {
			what = "First response"
		}
		s.Heading = what + " overdue on " + tag + ": it was due " + dueDate(due)
	case store.NoticeHeld:
		reason := strings.TrimRight(cleanHeaderText(it.Detail, 300), ".")
		if reason == "" {
			reason = "it could not be verified"
		}
		s.Heading = "Your answer by mail was held: " + reason + ". It was not sent; it is on the ticket as a note."
	default:
		s.Heading = "News on " + tag
	}
	if m := it.Message; m != nil {
		text := m.VisibleText
		if strings.TrimSpace(text) == "" {
			text = m.Text
		}
		if utf8.RuneCountInString(text) > maxQuoted {
			text = string([]rune(text)[:maxQuoted]) + " [...]"
		}
		s.Text = strings.TrimSpace(normalizeNewlines(text))
	}
	for _, f := range it.Files {
		if !f.Inline {
			s.Files = append(s.Files, cleanFilename(f.Filename))
		}
	}
	return s
}

// noticePeople says who is on the ticket: its customer, Cc participants,
// assignee and followers, the recipient as "you".
func noticePeople(n *store.StaffNotice, self int64) []string {
	who := func(u store.User) string {
		if u.ID == self {
			return "you"
		}
		return personAddr(&u)
	}
	var out []string
	if n.Customer != nil {
		out = append(out, "Customer: "+who(*n.Customer))
	}
	var cc []string
	for _, p := range n.Participants {
		if p.Role != store.ParticipantCustomer && (n.Customer == nil || p.UserID != n.Customer.ID) {
			cc = append(cc, who(store.User{ID: p.UserID, Email: p.Email, Name: p.Name, ErasedAt: p.ErasedAt}))
		}
	}
	if len(cc) > 0 {
		out = append(out, "Cc: "+strings.Join(cc, ", "))
	}
	if n.Assignee != nil {
		out = append(out, "Assigned to: "+who(*n.Assignee))
	} else {
		out = append(out, "Assigned to: nobody")
	}
	var fs []string
	for _, f := range n.Followers {
		fs = append(fs, who(f))
	}
	if len(fs) > 0 {
		out = append(out, "Following: "+strings.Join(fs, ", "))
	}
	return out
}

// personName is how a notice names someone: their name, else their address.
func personName(u store.User) string {
	if u.ErasedAt != nil {
		return "(erased)"
	}
	if name := cleanHeaderText(u.Name, maxName); name != "" {
		return name
	}
	return cleanHeaderText(u.Email, 254)
}

// personAddr is "Name <address>", or the address alone.
func personAddr(u *store.User) string {
	if u == nil {
		return "someone"
	}
	if u.ErasedAt != nil {
		return "(erased)"
	}
	addr := cleanHeaderText(u.Email, 254)
	if name := cleanHeaderText(u.Name, maxName); name != "" && name != addr {
		return name + " <" + addr + ">"
	}
	return addr
}

// dueDate says a privacy request's due date (RFC 3339 in the event).
func dueDate(s string) string {
	d, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return cleanHeaderText(s, 40)
	}
	return d.UTC().Format("Mon, 2 Jan 2006 15:04 MST")
}

// renderNotice fills m.Text and m.HTML from the staff notice templates.
func renderNotice(m *Mail, v noticeView, opts Opts) error {
	v.Site = strings.TrimRight(opts.BaseURL, "/")
	var text, html strings.Builder
	if err := textTemplates[store.EmailStaffNotice].ExecuteTemplate(&text, "layout", v); err != nil {
		return fmt.Errorf("outbound: staff notice text: %w", err)
	}
	if err := htmlTemplates[store.EmailStaffNotice].ExecuteTemplate(&html, "layout", v); err != nil {
		return fmt.Errorf("outbound: staff notice html: %w", err)
	}
	m.Text, m.HTML = text.String(), html.String()
	return nil
}

// staffBase is what every mail to staff starts as: refused unless its
// recipient is staff or admin (it may quote internal notes) and a staff
// reply address can be made; from the desk's "notifications" name, Auto.
func staffBase(o *store.Outgoing, what string, opts Opts) (*Mail, error) {
	if o.User == nil || o.User.Role != store.RoleStaff && o.User.Role != store.RoleAdmin {
		return nil, fmt.Errorf("outbound: %s %d: the recipient is not staff", what, o.Email.ID)
	}
	if opts.StaffReplyTo == nil {
		return nil, fmt.Errorf("outbound: %s: no staff reply address", what)
	}
	m := base(Address{Name: cleanHeaderText(o.User.Name, maxName), Email: o.Email.ToEmail}, opts)
	m.From.Name = team(opts) + " notifications"
	m.Auto = true
	return m, nil
}
