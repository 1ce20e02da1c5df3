package inbound

import (
	"context"
	"fmt"
	"mime"
	"strings"

	"github.com/dargo-support/dargo/internal/mailtag"
	"github.com/dargo-support/dargo/store"
)

// autoReason names why a mail is automatic (RFC 3834 and the de-facto
// headers), or returns "" for mail a person wrote.
func autoReason(m *Mail) string {
	h := m.Header
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return "Auto-Submitted: " + v
	}
	for _, k := range autoHeaders {
		if _, ok := h[k]; ok {
			return k
		}
	}
	if strings.EqualFold(strings.TrimSpace(h.Get("Delivered-To")), "autoresponder") {
		return "Delivered-To: Autoresponder"
	}
	switch v := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); v {
	case "bulk", "junk", "list", "auto_reply":
		return "Precedence: " + v
	}
	for _, k := range []string{"List-Id", "List-Unsubscribe", "List-Post"} {
		if _, ok := h[k]; ok {
			return "mailing list (" + k + ")"
		}
	}
	if reportType(m) == "disposition-notification" {
		return "read receipt"
	}
	if isFMLReport(m) {
		return "fml status report"
	}
	// Weak signs count only in pairs: a subject a person could type, with
	// a header Outlook also puts on ordinary or rule-forwarded mail.
	strong, weak := autoSubject(m.Subject)
	if _, ok := h["X-Auto-Response-Suppress"]; ok && weak {
		return "automatic reply subject with X-Auto-Response-Suppress"
	}
	if strong {
		for _, k := range exchangeRuleHeaders {
			if _, ok := h[k]; ok {
				return "automatic reply subject with " + k
			}
		}
	}
	return ""
}

// reportType is the report-type of a multipart/report mail, or "".
func reportType(m *Mail) string {
	media, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || media != "multipart/report" {
		return ""
	}
	return strings.ToLower(params["report-type"])
}

// isBounce tells delivery failure reports: a DSN, a null envelope sender or
// an empty Return-Path, or a MAILER-DAEMON / postmaster sender whose text
// reads as a delivery failure. Read receipts are reports too, but not
// bounces, and a person writing from postmaster@ opens a ticket.
func isBounce(m *Mail, env Envelope) bool {
	if m.Report != nil {
		return true
	}
	switch reportType(m) {
	case "delivery-status", "global-delivery-status":
		return true
	case "disposition-notification":
		return false
	}
	if env.NullSender || (m.HasReturnPath && m.ReturnPath == "") {
		return true
	}
	return daemonSender(m) && textBounce(m.Text) != nil
}

// BounceStore is what a delivery report needs from the database: one call
// that suppresses an address only when a returned Message-ID names a mail
// we sent to that same address.
type BounceStore interface {
	SuppressIfSent(ctx context.Context, ids []string, email, reason, source string) (bool, error)
}

var _ BounceStore = (*store.DB)(nil)

// bounce records a delivery failure. A permanent failure suppresses the
// Final-Recipient only when the report returns a mail Dargo sent to that
// very address: its X-Dargo-Mail tag is signed for that address, and its
// Message-ID (ours or SES's) is on an emails row to it. Anyone can mail us
// a report, and a forged one must not cut a customer, or an admin, off
// from every mail.
func (p *Pipeline) bounce(ctx context.Context, rec *store.InboundMail, m *Mail) (Result, error) {
	var notes []string
	if m.Report == nil {
		// No delivery-status part: read the report's text (qmail, James,
		// Exim, Postfix...). Only mail systems get here (isBounce).
		m.Report = textBounce(m.Text)
	}
	if m.Report != nil {
		bs := p.store
		ids, tags := returnedIDs(m)
		moreIDs, moreTags := inlineReturned(m.Text)
		ids, tags = append(ids, moreIDs...), append(tags, moreTags...)
		if len(tags) > maxReturnedTags {
			tags = tags[:maxReturnedTags]
		}
		for _, r := range m.Report.Recipients {
			if r.FinalRecipient == "" {
				continue
			}
			if !r.Permanent() {
				notes = append(notes, fmt.Sprintf("transient failure %s for %s", r.Status, r.FinalRecipient))
				continue
			}
			if !p.signedFor(tags, r.FinalRecipient) {
				notes = append(notes, fmt.Sprintf("permanent failure %s for %s returns no mail signed for that address (%s); not suppressed", r.Status, r.FinalRecipient, mailtag.Header))
				continue
			}
			reason := strings.TrimSpace("bounce " + r.Status + " " + r.Diagnostic)
			sent, err := bs.SuppressIfSent(ctx, ids, r.FinalRecipient, reason, "dsn")
			if err != nil {
				return Result{}, fmt.Errorf("inbound: bounce: %w", err)
			}
			if !sent {
				notes = append(notes, fmt.Sprintf("permanent failure %s for %s names no mail we sent to that address; not suppressed", r.Status, r.FinalRecipient))
				continue
			}
			notes = append(notes, fmt.Sprintf("permanent failure %s for %s; address suppressed", r.Status, r.FinalRecipient))
		}
	}
	if len(notes) == 0 {
		notes = append(notes, "delivery failure report without a readable recipient")
	}
	return p.finish(ctx, rec, store.ActionBounce, strings.Join(notes, "; "))
}

// signedFor reports whether one of the returned X-Dargo-Mail tags was made
// for addr: Message-IDs alone are no proof, since every participant of a
// ticket sees the others' in References.
func (p *Pipeline) signedFor(tags []string, addr string) bool {
	for _, tag := range tags {
		if _, ok := mailtag.Check(p.opts.Secret, tag, addr); ok {
			return true
		}
	}
	return false
}

// returnedIDs are the Message-IDs and X-Dargo-Mail tags of the mail a
// report returns: from the returned message or its headers
// (message/rfc822, text/rfc822-headers and their global forms).
func returnedIDs(m *Mail) (ids, tags []string) {
	for _, h := range returnedHeaders(m) {
		for _, k := range []string{"Message-Id", "X-Original-Message-Id"} {
			if id := strings.Trim(strings.TrimSpace(h.Get(k)), "<>"); id != "" {
				ids = append(ids, id)
			}
		}
		if tag := h.Get(mailtag.Header); tag != "" && len(tags) < maxReturnedTags {
			tags = append(tags, tag)
		}
	}
	return ids, tags
}

// maxReturnedTags bounds the HMACs one report makes us compute.
const maxReturnedTags = 20
