package outbound

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dargo-support/dargo/store"
)

// maxQuoted is how many runes of each earlier message a reply quotes.
const maxQuoted = 4000

// view is what the templates see.
type view struct {
	Greet     bool   // open with "Hello <name>,"; a staff reply has its own
	Name      string // the recipient's name, "" when unknown
	Team      string // who signs: Opts.From's name
	Number    int64
	Subject   string
	TicketURL string
	Status    string
	Reply     string
	Signature string // the replying staff member's, plain text
	Body      string // a broadcast's text
	Files     []string
	History   []quoted
	Link      string
	Action    string // what a link does: "sign in", "confirm your new address", …
	Button    string
	Expires   string // how long a link works: "15 minutes"
	Changed   string // an address change notice: the new address, masked
	Invited   bool   // a sign-in link that invites staff
	Site      string // BaseURL without its trailing slash: the footer's links
	Limit     string // the too-large notice: the size limit, "40 MB"
	Merged    string // the merged notice: the old request, "#12 (Printer broken)"
	Note      string // a forward's note from staff
	Forwarder string // who forwarded, as the third party sees it

	Rates  []rateLink // a resolution mail's rating links (rate.go)
	Closes string     // the auto-close warning: "in 2 days"

	Lang string // the recipient's language (internal/i18n); "" is English
}

// T says message id of mailText in the view's language.
func (v view) T(id string, args ...any) string { return mailText.T(v.Lang, id, args...) }

// Greeting opens the mail: by first name where one is known.
func (v view) Greeting() string {
	if first := firstName(v.Name); first != "" {
		return v.T("greet.name", first)
	}
	return v.T("greet")
}

// firstName is the first word of a name: "Anna" of "Anna Berg".
func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}

// userLang is the language o's recipient is written in: theirs when
// known, else English.
func userLang(o *store.Outgoing) string {
	if o.User == nil {
		return ""
	}
	return o.User.Language
}

// quoted is one earlier message of the thread, as a reply quotes it.
type quoted struct {
	Author string
	When   string
	Text   string
}

// Build makes the mail an emails row stands for, from its kind's templates.
// Magic links are built by BuildMagicLink, which is given the link.
func Build(o *store.Outgoing, opts Opts) (*Mail, error) {
	if o.Ticket == nil {
		return nil, fmt.Errorf("outbound: build %s mail %d: no ticket", o.Email.Kind, o.Email.ID)
	}
	m := base(Address{Name: userName(o), Email: o.Email.ToEmail}, opts)
	t := o.Ticket
	m.Ticket = t.Number
	if opts.ReplyTo != nil {
		m.ReplyTo = opts.ReplyTo(t.Number)
	}
	m.InReplyTo = o.InReplyTo
	m.References = o.ThreadIDs
	subject := t.Subject
	if subject == "" {
		subject = o.Email.Subject
	}
	if subject == "" {
		subject = "(no subject)"
	}
	v := view{Greet: o.Email.Kind != store.EmailReply, Name: m.To.Name, Team: team(opts), Number: t.Number, Subject: subject, TicketURL: ticketURL(opts, t.Number), Lang: userLang(o)}
	tag := "[#" + strconv.FormatInt(t.Number, 10) + "]"
	switch o.Email.Kind {
	case store.EmailConfirmation:
		m.Subject = v.T("confirm.subject", tag, subject)
		m.Auto = true
	case store.EmailReply:
		if o.Message == nil {
			return nil, fmt.Errorf("outbound: build reply mail %d: no message", o.Email.ID)
		}
		m.Subject = "Re: " + subject
		if o.Ticket.Channel == store.ChannelStaff && len(o.History) == 0 {
			// The first mail of a ticket staff started answers nothing.
			m.Subject = subject
		}
		v.Reply = o.Message.Text
		if o.Email.Announces != "" {
			// The reply set the status too: one mail tells both.
			v.Status = statusWord(v, o.Email.Announces)
		}
		v.Signature = o.Author.Signature
		if name := cleanHeaderText(o.Author.DisplayName, maxName); name != "" {
			// Only the name is the agent's: the address stays the desk's.
			m.From.Name = name + " from " + team(opts)
		}
		for _, f := range o.Attachments {
			m.Attachments = append(m.Attachments, Attachment{Filename: f.Filename, ContentType: f.ContentType, Data: f.Data})
			v.Files = append(v.Files, cleanFilename(f.Filename))
		}
		v.History = history(o, v, opts)
	case store.EmailForward:
		v.Lang = "" // to a third party, whose language is not known
		if err := forward(o, m, &v, opts); err != nil {
			return nil, err
		}
	case store.EmailStatus:
		v.Status = statusWord(v, t.Status)
		m.Subject = v.T("status.subject", tag, v.Status, subject)
		m.Auto = true
	case store.EmailAutocloseWarning:
		warn := opts.AutocloseWarn
		if warn <= 0 {
			warn = 48 * time.Hour
		}
		v.Closes = closesIn(v, warn)
		m.Subject = v.T("autoclose.subject", v.Closes, tag, subject)
		m.Auto = true
	case store.EmailMerged:
		// The row names the survivor, so the notice threads there and its
		// reply address is the survivor's; its subject names the old request.
		v.Merged = o.Email.Subject
		m.Subject = v.T("merged.subject", tag, subject)
		m.Auto = true
	case store.EmailMagicLink:
		return nil, errors.New("outbound: magic link mails are built by BuildMagicLink")
	default:
		return nil, fmt.Errorf("outbound: build mail %d: unknown kind %q", o.Email.ID, o.Email.Kind)
	}
	var err error
	if v.Rates, err = rateLinks(o, v, opts); err != nil {
		return nil, err
	}
	return m, render(m, o.Email.Kind, v, opts)
}

// forward fills in a forward's mail: the note and the message with its
// files, Reply-To the forward's own address, and no thread ids of the
// ticket (the third party is not in its conversation).
func forward(o *store.Outgoing, m *Mail, v *view, opts Opts) error {
	if o.Message == nil || o.Forward == nil || opts.ForwardReplyTo == nil {
		return fmt.Errorf("outbound: build forward mail %d: no message, forward or reply address", o.Email.ID)
	}
	m.ReplyTo = opts.ForwardReplyTo(o.Ticket.Number, o.Forward.ID)
	m.InReplyTo, m.References = "", nil
	m.Subject = "Fwd: [#" + strconv.FormatInt(o.Ticket.Number, 10) + "] " + v.Subject
	v.Greet, v.Note, v.Forwarder = false, o.Forward.Note, team(opts)
	v.Reply = o.Message.VisibleText
	if strings.TrimSpace(v.Reply) == "" {
		v.Reply = o.Message.Text
	}
	for _, f := range o.Attachments {
		m.Attachments = append(m.Attachments, Attachment{Filename: f.Filename, ContentType: f.ContentType, Data: f.Data})
		v.Files = append(v.Files, cleanFilename(f.Filename))
	}
	return nil
}

// BuildMagicLink makes the mail that carries a one-time login link.
func BuildMagicLink(to Address, link string, opts Opts) (*Mail, error) {
	return BuildLinkMail(to, link, "", "", opts)
}

// BuildLinkMail makes the mail that carries a one-time link: a sign-in, an
// address change or erasure to confirm, or (path /account/email/undo) the
// notice to an old address that its account moved to account, shown
// masked, with the link that undoes it. lang is the recipient's language
// (internal/i18n; "" is English).
func BuildLinkMail(to Address, link, account, lang string, opts Opts) (*Mail, error) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("outbound: magic link: invalid link %q", link)
	}
	m := base(to, opts)
	m.Auto = true
	v := view{Greet: true, Name: cleanHeaderText(to.Name, maxName), Team: team(opts), Link: link, Lang: lang}
	m.Subject, v.Action, v.Button, v.Expires = v.T("link.subject"), v.T("link.use"), v.T("link.button"), v.T("link.15min")
	switch u.Path {
	case "/login/confirm":
		if u.Query().Get("invited") != "" {
			m.Subject, v.Invited = v.T("link.invited", team(opts)), true
		}
	case "/account/email/confirm":
		m.Subject, v.Action, v.Button = v.T("link.email.subject"), v.T("link.email.use", team(opts)), v.T("link.email.button")
	case "/account/erase/confirm":
		m.Subject, v.Action, v.Button = v.T("link.erase.subject"), v.T("link.erase.use"), v.T("link.erase.button")
	case "/account/email/undo":
		if !strings.Contains(account, "@") {
			return nil, errors.New("outbound: address change notice: no new address")
		}
		m.Subject, v.Button = v.T("link.undo.subject"), v.T("link.undo.button")
		// No greeting by name: whoever changed the address may have
		// changed the name too.
		v.Changed, v.Expires, v.Name = store.MaskEmail(account), v.T("link.7days"), ""
	}
	v.Subject = m.Subject
	return m, render(m, store.EmailMagicLink, v, opts)
}

// base is what every mail has: addresses, a fresh Message-ID and the time.
func base(to Address, opts Opts) *Mail {
	return &Mail{From: opts.From, To: to, MessageID: MintMessageID(opts.MailDomain), Date: time.Now()}
}

// render fills m.Text and m.HTML from the kind's templates; the layout's
// footer links to the privacy policy and the terms under opts.BaseURL.
func render(m *Mail, kind string, v view, opts Opts) error {
	v.Site = strings.TrimRight(opts.BaseURL, "/")
	var text, html strings.Builder
	if err := textTemplates[kind].ExecuteTemplate(&text, "layout", v); err != nil {
		return fmt.Errorf("outbound: %s text: %w", kind, err)
	}
	if err := htmlTemplates[kind].ExecuteTemplate(&html, "layout", v); err != nil {
		return fmt.Errorf("outbound: %s html: %w", kind, err)
	}
	m.Text, m.HTML = text.String(), html.String()
	return nil
}

// history is the thread's earlier messages, newest first, as quoted.
func history(o *store.Outgoing, v view, opts Opts) []quoted {
	out := make([]quoted, 0, len(o.History))
	for _, h := range o.History {
		text := h.VisibleText
		if strings.TrimSpace(text) == "" {
			text = h.Text
		}
		if utf8.RuneCountInString(text) > maxQuoted {
			text = string([]rune(text)[:maxQuoted]) + " [...]"
		}
		out = append(out, quoted{Author: author(o, h, v, opts), When: h.CreatedAt.UTC().Format("Mon, 2 Jan 2006 15:04 MST"), Text: text})
	}
	return out
}

// author names who wrote an earlier message, as the recipient sees it.
func author(o *store.Outgoing, h store.Message, v view, opts Opts) string {
	switch {
	case h.Kind == store.MessageOutbound:
		return team(opts)
	case o.User != nil && h.AuthorID != nil && *h.AuthorID == o.User.ID:
		return v.T("author.you")
	default:
		return v.T("author.other")
	}
}

func userName(o *store.Outgoing) string {
	if o.User == nil {
		return ""
	}
	return cleanHeaderText(o.User.Name, maxName)
}

func team(opts Opts) string {
	if n := cleanHeaderText(opts.From.Name, maxName); n != "" {
		return n
	}
	return "Support"
}

func ticketURL(opts Opts, number int64) string {
	return strings.TrimRight(opts.BaseURL, "/") + "/tickets/" + strconv.FormatInt(number, 10)
}

// statusWord says a status in a sentence, in v's language: "resolved",
// "closed".
func statusWord(v view, status string) string {
	switch status {
	case store.StatusResolved, store.StatusClosed:
		return v.T("status." + status)
	case "":
		return v.T("status.updated")
	default:
		return v.T("status.set", status)
	}
}

// closesIn says a warning period as the customer reads it: "in 2 days",
// "in 1 day", "in 12 hours".
func closesIn(v view, d time.Duration) string {
	h := int(d.Round(time.Hour) / time.Hour)
	switch {
	case h%24 == 0 && h >= 48:
		return v.T("in.days", h/24)
	case h == 24:
		return v.T("in.day")
	case h == 1:
		return v.T("in.hour")
	}
	return v.T("in.hours", h)
}
