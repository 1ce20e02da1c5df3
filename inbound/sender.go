package inbound

import (
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/authres"
	"golang.org/x/net/publicsuffix"

	"github.com/dargo-support/dargo/store"
)

// senderCheck is how sure we are of who sent a mail, and why.
type senderCheck struct {
	auth string // store.SenderVerified or store.SenderUnverified
	why  string
}

func (c senderCheck) verified() bool { return c.auth == store.SenderVerified }

func verified(why string) senderCheck   { return senderCheck{store.SenderVerified, why} }
func unverified(why string) senderCheck { return senderCheck{store.SenderUnverified, why} }

// checkSender decides whether the From address is proven, in this order: an
// ambiguous From proves nothing; mail from a participant to a valid reply
// address of the ticket proves possession; then SES's verdicts (DMARC pass,
// or DKIM/SPF pass aligned with the From domain); then Authentication-Results
// added by a host in DARGO_TRUSTED_AUTHSERV_IDS. A reply address alone does
// not vouch for a From that is no participant: it can leak (a dismissed Cc
// saw it, a forwarded notification carries it).
func (p *Pipeline) checkSender(m *Mail, env Envelope, rt route) senderCheck {
	if m.FromAmbiguous != "" {
		return unverified(m.FromAmbiguous)
	}
	if dmarcFailed(env.Verdicts) {
		return unverified("DMARC failed under policy " + strings.ToLower(env.Verdicts.DMARCPolicy) + " (SES)")
	}
	if rt.replyTo > 0 && rt.fromParticipant {
		return verified(fmt.Sprintf("sent to the reply address of #%d by a participant", rt.replyTo))
	}
	domain := domainOf(m.From.Email)
	if c, ok := sesVerdicts(m, env, domain); ok {
		return c
	}
	if c, ok := p.trustedResults(m, domain); ok {
		return c
	}
	if rt.replyTo > 0 {
		return unverified(fmt.Sprintf("sent to the reply address of #%d, but by someone who is not a participant, and no DKIM, SPF or DMARC pass", rt.replyTo))
	}
	if env.Verdicts.DKIM == "" && env.Verdicts.SPF == "" && env.Verdicts.DMARC == "" {
		return unverified("no DKIM, SPF or DMARC results for this mail")
	}
	return unverified(fmt.Sprintf("no DKIM or SPF pass aligned with %s (SES: dkim %s, spf %s, dmarc %s)",
		domain, orNone(env.Verdicts.DKIM), orNone(env.Verdicts.SPF), orNone(env.Verdicts.DMARC)))
}

// sesVerdicts reads SES's receipt verdicts. SES says whether DKIM passed,
// not for which domain, so a DKIM pass counts only when every DKIM
// signature in the mail is aligned with the From domain; an SPF pass counts
// when the envelope sender's domain is aligned.
func sesVerdicts(m *Mail, env Envelope, domain string) (senderCheck, bool) {
	v := env.Verdicts
	if strings.EqualFold(v.DMARC, "PASS") {
		return verified("DMARC pass for " + domain + " (SES)"), true
	}
	if strings.EqualFold(v.DKIM, "PASS") {
		ds := dkimDomains(m)
		ok := len(ds) > 0
		for _, d := range ds {
			ok = ok && aligned(d, domain)
		}
		if ok {
			return verified("DKIM pass for " + ds[0] + " (SES)"), true
		}
	}
	if strings.EqualFold(v.SPF, "PASS") && !env.NullSender {
		if d := domainOf(env.Sender); aligned(d, domain) {
			return verified("SPF pass for " + d + " (SES)"), true
		}
	}
	return senderCheck{}, false
}

// trustedResults reads the Authentication-Results field of a trusted
// authserv-id. The MTA that adds it should also remove any the sender put
// in with the same id (RFC 8601 section 5; OpenDKIM/OpenDMARC do).
func (p *Pipeline) trustedResults(m *Mail, domain string) (senderCheck, bool) {
	if len(p.opts.TrustedAuthServIDs) == 0 {
		return senderCheck{}, false
	}
	// Only the topmost field of a trusted host counts: our MTA adds its
	// own above whatever the sender wrote, so a forged field with the same
	// id sits below it (and is ignored even where the MTA fails to strip it).
	for _, field := range m.Header["Authentication-Results"] {
		id, results, err := authres.Parse(field)
		if err != nil || !p.trustedID(id) {
			continue
		}
		return checkResults(id, results, domain)
	}
	return senderCheck{}, false
}

// checkResults reads one trusted Authentication-Results field.
func checkResults(id string, results []authres.Result, domain string) (senderCheck, bool) {
	for _, r := range results {
		switch r := r.(type) {
		case *authres.DMARCResult:
			if r.Value == authres.ResultPass && (r.From == "" || aligned(r.From, domain)) {
				return verified("DMARC pass for " + domain + " (" + id + ")"), true
			}
		case *authres.DKIMResult:
			d := r.Domain
			if d == "" {
				d = domainOf(r.Identifier)
			}
			if r.Value == authres.ResultPass && aligned(d, domain) {
				return verified("DKIM pass for " + strings.ToLower(d) + " (" + id + ")"), true
			}
		case *authres.SPFResult:
			d := domainOf(r.From)
			if d == "" {
				d = r.From
			}
			if r.Value == authres.ResultPass && aligned(d, domain) {
				return verified("SPF pass for " + strings.ToLower(d) + " (" + id + ")"), true
			}
		}
	}
	return senderCheck{}, false
}

func (p *Pipeline) trustedID(id string) bool {
	for _, t := range p.opts.TrustedAuthServIDs {
		if strings.EqualFold(strings.TrimSpace(t), id) {
			return true
		}
	}
	return false
}

// dkimDomains lists the d= of every DKIM-Signature field, lower-cased.
func dkimDomains(m *Mail) []string {
	var out []string
	for _, sig := range m.Header["DKIM-Signature"] {
		for _, tag := range strings.Split(sig, ";") {
			k, v, ok := strings.Cut(tag, "=")
			if ok && strings.TrimSpace(k) == "d" {
				out = append(out, strings.ToLower(strings.Join(strings.Fields(v), "")))
			}
		}
	}
	return out
}

// aligned is DMARC's relaxed alignment: both domains have the same
// organizational domain (the registrable domain under the public suffix list).
func aligned(a, b string) bool {
	a, b = strings.ToLower(strings.Trim(a, ". ")), strings.ToLower(strings.Trim(b, ". "))
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	oa, err1 := publicsuffix.EffectiveTLDPlusOne(a)
	ob, err2 := publicsuffix.EffectiveTLDPlusOne(b)
	return err1 == nil && err2 == nil && oa == ob
}

// domainOf is the domain of an address (after the last @), lower-cased.
func domainOf(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(strings.Trim(addr[at+1:], "<> "))
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return strings.ToLower(s)
}
