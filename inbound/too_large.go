package inbound

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/dargo-support/dargo/inbound/mailparse"
	"github.com/dargo-support/dargo/store"
)

// tooLarge reports whether a mail is held only for its size: never a mail
// with a spam or virus verdict, whose sender gets no word from us.
func (p *Pipeline) tooLarge(raw []byte, v Verdicts) bool {
	return p.opts.MaxMailBytes > 0 && int64(len(raw)) > p.opts.MaxMailBytes &&
		!strings.EqualFold(v.Virus, "FAIL") && !strings.EqualFold(v.Spam, "FAIL")
}

// noticeTooLarge tells the sender of a mail held for its size that it was
// not delivered (store.QueueTooLargeNotice: at most one a day per address).
// A notice to a forged From is backscatter, so it goes only to a sender the
// pipeline would call verified (checkSender: a participant writing to the
// ticket's reply address, DMARC, or DKIM/SPF aligned with the From domain,
// or trusted Authentication-Results), never in answer to automatic mail,
// bounces or our own address, and never to a blocked (erased) address; a
// suppressed address gets no mail (the outbox's gate). Only the header is
// read: the body is what was too large. It returns why no notice was
// queued, "" when one was.
func (p *Pipeline) noticeTooLarge(ctx context.Context, raw []byte, env Envelope) (string, error) {
	m, _ := mailparse.ParseText(headerOnly(raw))
	switch {
	case env.NullSender || isBounce(m, env):
		return "a bounce", nil
	case autoReason(m) != "":
		return "automatic mail (" + autoReason(m) + ")", nil
	case m.From.Email == "" || m.FromAmbiguous != "" || m.FromFields > 1 || m.FromMailboxes > 1:
		return "no single From address", nil
	case p.ours(m.From.Email):
		return "from our own address", nil
	}
	if blocked, err := p.store.IsBlocked(ctx, m.From.Email); err != nil || blocked {
		return "the sender was erased and blocked", err
	}
	rt, err := p.route(ctx, m, env)
	if err != nil {
		return "", err
	}
	if c := p.checkSender(m, env, rt); !c.verified() {
		return "sender not verified: " + c.why, nil
	}
	queued, err := p.store.QueueTooLargeNotice(ctx, store.Person{Email: m.From.Email, Name: m.From.Name}, mailparse.CleanSubject(m.Subject))
	if err != nil {
		return "", fmt.Errorf("inbound: too-large notice: %w", err)
	}
	if !queued {
		return "one was sent within a day, or the address is suppressed", nil
	}
	return "", nil
}

// headerOnly is the header of a raw mail, up to and with the blank line
// that ends it, and at most mailparse.MaxHeaderBytes (mailparse.Parse cuts what is longer).
func headerOnly(raw []byte) []byte {
	if len(raw) > mailparse.MaxHeaderBytes+4 {
		raw = raw[:mailparse.MaxHeaderBytes+4]
	}
	end := len(raw)
	for _, sep := range []string{"\r\n\r\n", "\n\n"} {
		if i := bytes.Index(raw, []byte(sep)); i >= 0 && i+len(sep) < end {
			end = i + len(sep)
		}
	}
	return raw[:end]
}
