package inbound

import (
	"context"
	"errors"
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

// route finds the ticket a mail belongs to, in this order: a reply token in
// any recipient; In-Reply-To/References matching a thread id; a [#N] subject
// tag. Header and subject matches count only when the sender takes part in
// the ticket; a valid reply token routes on its own (whether it also vouches
// for the sender is checkSender's call).
func (p *Pipeline) route(ctx context.Context, m *Mail, env Envelope) (route, error) {
	for _, addr := range p.recipients(m, env) {
		n, ok := replyaddr.Parse(p.opts.Secret, p.opts.MailDomain, addr)
		if !ok {
			continue
		}
		t, err := p.ticketByNumber(ctx, n)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return route{}, fmt.Errorf("inbound: route: %w", err)
		}
		in, err := p.store.IsParticipant(ctx, t.ID, m.From.Email)
		if err != nil {
			return route{}, fmt.Errorf("inbound: route: %w", err)
		}
		return route{ticket: t, replyTo: t.Number, fromParticipant: in && m.FromAmbiguous == ""}, nil
	}
	ids := append(append([]string{}, m.References...), m.InReplyTo...)
	if m.FromAmbiguous != "" {
		// An ambiguous From names nobody for sure: it never matches a
		// participant, whatever its headers or subject point at.
		var r route
		if _, tagged := mailparse.SubjectTag(m.Subject); tagged || len(ids) > 0 {
			r.why = m.FromAmbiguous + ": not matched to a ticket by headers or subject; opened a new ticket"
		}
		return r, nil
	}
	var refused []string
	if len(ids) > 0 {
		t, err := p.ticketByThreadIDs(ctx, ids)
		switch {
		case err == nil:
			ok, err := p.store.IsParticipant(ctx, t.ID, m.From.Email)
			if err != nil {
				return route{}, fmt.Errorf("inbound: route: %w", err)
			}
			if ok {
				return route{ticket: t}, nil
			}
			refused = append(refused, fmt.Sprintf("#%d by thread headers", t.Number))
		case !errors.Is(err, store.ErrNotFound):
			return route{}, fmt.Errorf("inbound: route: %w", err)
		}
	}
	if n, ok := mailparse.SubjectTag(m.Subject); ok {
		t, err := p.ticketByNumber(ctx, n)
		switch {
		case err == nil:
			ok, err := p.store.IsParticipant(ctx, t.ID, m.From.Email)
			if err != nil {
				return route{}, fmt.Errorf("inbound: route: %w", err)
			}
			if ok {
				return route{ticket: t}, nil
			}
			refused = append(refused, fmt.Sprintf("#%d by subject tag", t.Number))
		case !errors.Is(err, store.ErrNotFound):
			return route{}, fmt.Errorf("inbound: route: %w", err)
		}
	}
	var r route
	if len(refused) > 0 {
		r.why = "sender " + m.From.Email + " is not a participant of the matched ticket (" + strings.Join(refused, ", ") + "); opened a new ticket"
	}
	return r, nil
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

// ticketByThreadIDs is the ticket a References/In-Reply-To id belongs to,
// or the ticket it was merged into.
func (p *Pipeline) ticketByThreadIDs(ctx context.Context, ids []string) (*store.Ticket, error) {
	t, err := p.store.TicketByThreadIDs(ctx, ids)
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
