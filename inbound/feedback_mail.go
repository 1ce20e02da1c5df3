package inbound

import (
	"context"
	"fmt"
	"strings"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/store"
)

// abuseReport records an abuse report. A complaint (abuse, fraud)
// suppresses the reported address the way an SES complaint does, but only
// when the report returns a mail we sent to that very address (its
// X-Dargo-Mail tag is signed for it, and its Message-ID is on an emails
// row to it): anyone can mail us a report, and a forged one must not cut
// a customer off. Other types (auth-failure, not-spam...) are recorded.
func (p *Pipeline) abuseReport(ctx context.Context, rec *store.InboundMail, m *Mail, fr *FeedbackReport) (Result, error) {
	ids, tags := returnedIDs(m)
	var notes []string
	for _, addr := range fr.Recipients {
		switch {
		case !fr.Complaint():
			notes = append(notes, fmt.Sprintf("%s report about %s recorded; not a complaint", fr.Type, addr))
			continue
		case !p.signedFor(tags, addr):
			notes = append(notes, fmt.Sprintf("%s complaint for %s returns no mail signed for that address; not suppressed", fr.Type, addr))
			continue
		}
		sent, err := p.store.SuppressIfSent(ctx, ids, addr, "complaint: "+fr.Type+" (feedback report)", "arf")
		if err != nil {
			return Result{}, fmt.Errorf("inbound: feedback report: %w", err)
		}
		if !sent {
			notes = append(notes, fmt.Sprintf("%s complaint for %s names no mail we sent to that address; not suppressed", fr.Type, addr))
			continue
		}
		notes = append(notes, fmt.Sprintf("%s complaint for %s; address suppressed", fr.Type, addr))
	}
	if len(notes) == 0 {
		notes = append(notes, fr.Type+" feedback report without a readable recipient")
	}
	p.log.InfoContext(ctx, "feedback report", "inbound_mail", rec.ID, "feedback_type", fr.Type, "recipients", len(fr.Recipients))
	return p.finish(ctx, rec, store.ActionFeedback, "feedback report: "+strings.Join(notes, "; "))
}

// awsMail handles mail that says it is an SNS notification. Only a
// verified mail (DKIM, SPF or DMARC pass for amazonaws.com, or a trusted
// Authentication-Results) from a topic in DARGO_SNS_TOPIC_ARNS (every
// topic it names) carrying an SES bounce or complaint is acted on, as the same notification on SQS would be: an address is suppressed
// only when the mail SES names (by its SES id) was sent to it. Anything
// else is ignored with a log line; none of it opens a ticket.
func (p *Pipeline) awsMail(ctx context.Context, rec *store.InboundMail, m *Mail, env Envelope) (Result, error) {
	n, ok := decodeAWSMail(m.Text)
	if !ok {
		return p.finish(ctx, rec, store.ActionIgnored, "AWS notification mail without an SES notification")
	}
	if c := p.checkSender(m, env, route{}); !c.verified() {
		p.log.WarnContext(ctx, "unverified AWS notification mail ignored", "inbound_mail", rec.ID, "type", n.Type, "ses_id", n.SESID, "why", c.why)
		return p.finish(ctx, rec, store.ActionIgnored, "AWS notification mail is not verified ("+c.why+"); not acted on")
	}
	if !topicsAccepted(n.Topics, p.opts.SNSTopicARNs) {
		// Any AWS account can have SNS mail us: a verified mail proves only
		// that Amazon sent it, not that the topic is ours.
		p.log.WarnContext(ctx, "AWS notification mail from a topic not in DARGO_SNS_TOPIC_ARNS ignored", "inbound_mail", rec.ID, "type", n.Type, "ses_id", n.SESID, "topics", n.Topics)
		return p.finish(ctx, rec, store.ActionIgnored, fmt.Sprintf("AWS notification mail from topic %s, not one of DARGO_SNS_TOPIC_ARNS; not acted on", strings.Join(n.Topics, ", ")))
	}
	var typ, reason, source string
	switch {
	case n.Type == "Complaint":
		typ, reason, source = "complaint", strings.TrimSuffix("complaint: "+n.Detail, ": "), "ses-complaint"
	case n.Type == "Bounce" && n.Permanent:
		typ, reason, source = "bounce", "ses bounce: "+n.Detail, "ses-bounce"
	case n.Type == "Bounce":
		typ = "soft_bounce"
	case n.Type == "Delivery":
		typ = "delivery"
	}
	if typ != "" { // the labels of dargo_ses_feedback_total, as for SQS
		metrics.SESFeedback.WithLabelValues(typ).Inc()
	}
	if source == "" || n.SESID == "" {
		return p.finish(ctx, rec, store.ActionFeedback, fmt.Sprintf("AWS %s notification by mail recorded; nothing to suppress", n.Type))
	}
	var notes []string
	for _, addr := range n.Recipients {
		sent, err := p.store.SuppressIfSent(ctx, []string{store.SESMessageID(n.SESID)}, addr, reason, source)
		if err != nil {
			return Result{}, fmt.Errorf("inbound: AWS notification mail: %w", err)
		}
		if !sent {
			notes = append(notes, addr+" was not sent the mail it names; not suppressed")
			continue
		}
		notes = append(notes, addr+" suppressed")
	}
	p.log.InfoContext(ctx, "AWS notification mail", "inbound_mail", rec.ID, "type", n.Type, "ses_id", n.SESID)
	return p.finish(ctx, rec, store.ActionFeedback, fmt.Sprintf("AWS %s notification by mail: %s", n.Type, strings.Join(notes, "; ")))
}
