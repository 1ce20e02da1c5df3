package inbound

import (
	"context"
	"fmt"
	"strings"

	"github.com/dargo-support/dargo/inbound/mailparse"
	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/internal/textsafe"
	"github.com/dargo-support/dargo/store"
)

// route is where a mail goes: an existing ticket, or nil for a new one.
type route struct {
	ticket  *store.Ticket
	replyTo int64 // the ticket number when a valid reply address routed it
	// fromParticipant: the From of a mail routed by reply address already
	// takes part in the ticket.
	fromParticipant bool
	why             string // why a header or subject match was refused
}

// routeOf is what the mail says about the ticket it belongs to: reply
// tokens in its recipients, its In-Reply-To/References, its [#N] subject
// tag. The store resolves it (store.ResolveRoute, or RecordInbound in its
// transaction): a reply token routes on its own (whether it also vouches for
// the sender is checkSender's call); header and subject matches count only
// when the sender takes part in the ticket.
func (p *Pipeline) routeOf(m *Mail, env Envelope) *store.InboundRoute {
	r := &store.InboundRoute{Ambiguous: m.FromAmbiguous}
	for _, addr := range p.recipients(m, env) {
		if n, ok := replyaddr.Parse(p.opts.Secret, p.opts.MailDomain, addr); ok {
			r.ReplyNumbers = append(r.ReplyNumbers, n)
		}
	}
	r.ThreadIDs = append(append([]string{}, m.References...), m.InReplyTo...)
	if n, ok := mailparse.SubjectTag(m.Subject); ok {
		r.SubjectNumber = n
	}
	return r
}

// route finds the ticket a mail belongs to (see routeOf) outside a transaction.
func (p *Pipeline) route(ctx context.Context, m *Mail, env Envelope) (route, error) {
	r, err := p.store.ResolveRoute(ctx, *p.routeOf(m, env), m.From.Email)
	if err != nil {
		return route{}, fmt.Errorf("inbound: %w", err)
	}
	return route{ticket: r.Ticket, replyTo: r.ReplyTo, fromParticipant: r.FromParticipant, why: r.Why}, nil
}

// ticketByNumber is the ticket numbered n, or the ticket it was merged
// into: an old reply address or [#N] of a merged ticket lands on the survivor.
func (p *Pipeline) ticketByNumber(ctx context.Context, n int64) (*store.Ticket, error) {
	t, err := p.store.TicketByNumber(ctx, n)
	if err != nil {
		return nil, err
	}
	return p.store.Survivor(ctx, t)
}

// recipients lists envelope recipients first, then To and Cc.
func (p *Pipeline) recipients(m *Mail, env Envelope) []string {
	out := append([]string{}, env.Recipients...)
	for _, a := range m.To {
		out = append(out, a.Email)
	}
	for _, a := range m.Cc {
		out = append(out, a.Email)
	}
	return out
}

// ours reports whether an address is one of Dargo's own.
func (p *Pipeline) ours(addr string) bool {
	addr = strings.ToLower(addr)
	if _, ok := p.opts.Categories[addr]; ok {
		return true
	}
	at := strings.LastIndexByte(addr, '@')
	return p.opts.MailDomain != "" && at >= 0 && addr[at+1:] == strings.ToLower(p.opts.MailDomain)
}

// ccs are the other people the sender wrote to (To and Cc, minus Dargo's own
// addresses and the sender): they become participants of the ticket.
func (p *Pipeline) ccs(m *Mail) []store.Person {
	var out []store.Person
	seen := map[string]bool{strings.ToLower(m.From.Email): true}
	for _, list := range [][]Address{m.To, m.Cc} {
		for _, a := range list {
			e := strings.ToLower(a.Email)
			if e == "" || seen[e] || p.ours(e) {
				continue
			}
			seen[e] = true
			out = append(out, store.Person{Email: e, Name: textsafe.Clean(a.Name)})
		}
	}
	return out
}

// category is the category of the first recipient configured in DARGO_CATEGORIES.
func (p *Pipeline) category(m *Mail, env Envelope) string {
	for _, addr := range p.recipients(m, env) {
		if c, ok := p.opts.Categories[strings.ToLower(addr)]; ok {
			return c
		}
	}
	return "general"
}
