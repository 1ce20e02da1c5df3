package inbound

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dargo-support/dargo/internal/replyaddr"
	"github.com/dargo-support/dargo/store"
)

// ForwardStore is what answers to forwards need from the database.
type ForwardStore interface {
	RecordForwardAnswer(ctx context.Context, a store.ForwardAnswer) (*store.Recorded, error)
}

var _ ForwardStore = (*store.DB)(nil)

// forwardAddress finds a forward's reply address among the recipients.
func (p *Pipeline) forwardAddress(m *Mail, env Envelope) (number, forwardID int64, ok bool) {
	for _, addr := range p.recipients(m, env) {
		if n, id, ok := replyaddr.ParseForward(p.opts.Secret, p.opts.MailDomain, addr); ok {
			return n, id, true
		}
	}
	return 0, 0, false
}

// forwardMail keeps a third party's answer to a forward on the ticket as
// an internal note: staff see it, the customer never does, the sender
// takes no part in the ticket, and nothing is mailed to anyone. Automatic
// replies (an out-of-office) are kept raw only. The address's mac vouches
// for the ticket and the forward together; a forward of another ticket is
// ignored.
func (p *Pipeline) forwardMail(ctx context.Context, rec *store.InboundMail, m *Mail, number, forwardID int64, flag string) (Result, error) {
	if auto := autoReason(m); auto != "" {
		return p.finish(ctx, rec, store.ActionIgnored, fmt.Sprintf("automatic reply (%s) to a forward of #%d: not recorded, nothing sent", auto, number))
	}
	a := store.ForwardAnswer{InboundMailID: rec.ID, TicketNumber: number, ForwardID: forwardID,
		From: store.Person{Email: m.From.Email, Name: m.From.Name}, MessageID: m.MessageID,
		Subject: m.Subject, Text: m.Text, VisibleText: m.VisibleText, HTML: m.SafeHTML(), Flag: flag}
	for _, f := range m.Attachments {
		a.Attachments = append(a.Attachments, store.NewAttachment{
			Filename: f.Filename, ContentType: f.ContentType, ContentID: f.ContentID, Inline: f.Inline, Data: f.Data})
	}
	out, err := p.store.RecordForwardAnswer(ctx, a)
	if errors.Is(err, store.ErrProcessed) {
		return p.lostRace(ctx, rec.ID)
	}
	if errors.Is(err, store.ErrDuplicate) {
		return p.finish(ctx, rec, store.ActionDuplicate, "Message-ID <"+m.MessageID+"> seen before, as an answer to forward "+fmt.Sprint(forwardID))
	}
	if errors.Is(err, store.ErrNotFound) {
		return p.finish(ctx, rec, store.ActionIgnored, fmt.Sprintf("forward reply address names forward %d of #%d, which does not exist", forwardID, number))
	}
	if err != nil {
		return Result{}, fmt.Errorf("inbound: forward answer: %w", err)
	}
	return Result{Action: store.ActionAppended, Ticket: &out.TicketNumber, Message: &out.MessageID,
		Reason: "answer from " + m.From.Email + " to a forward: kept as an internal note"}, nil
}

// forwardFlag marks an answer to a forward as the customer routes mark a
// message: spam by SES's verdict, or a DMARC failure; "" otherwise, or
// when staff released the mail from quarantine.
func forwardFlag(env Envelope, released bool) string {
	switch {
	case released:
		return ""
	case dmarcFailed(env.Verdicts):
		return "dmarc"
	case strings.EqualFold(env.Verdicts.Spam, "FAIL"):
		return "spam"
	}
	return ""
}
