package inbound

import (
	"context"
	"fmt"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// autoReason names why a mail is automatic (RFC 3834 and the de-facto
// headers), or returns "" for mail a person wrote.
func autoReason(m *Mail) string {
	h := m.Header
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return "Auto-Submitted: " + v
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"} {
		if _, ok := h[k]; ok {
			return k
		}
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
	return ""
}

// isBounce tells delivery failure reports: a DSN, an empty Return-Path, or a
// MAILER-DAEMON / postmaster sender.
func isBounce(m *Mail) bool {
	if m.Report != nil {
		return true
	}
	if strings.HasPrefix(strings.ToLower(m.Header.Get("Content-Type")), "multipart/report") {
		return true
	}
	if m.HasReturnPath && m.ReturnPath == "" {
		return true
	}
	local, _, _ := strings.Cut(strings.ToLower(m.From.Email), "@")
	return local == "mailer-daemon" || local == "postmaster"
}

// bounce records a delivery failure: permanent failures suppress the address.
func (p *Pipeline) bounce(ctx context.Context, rec *store.InboundMail, m *Mail) (Result, error) {
	var notes []string
	if m.Report != nil {
		for _, r := range m.Report.Recipients {
			if r.FinalRecipient == "" {
				continue
			}
			if !r.Permanent() {
				notes = append(notes, fmt.Sprintf("transient failure %s for %s", r.Status, r.FinalRecipient))
				continue
			}
			reason := strings.TrimSpace("bounce " + r.Status + " " + r.Diagnostic)
			if err := p.store.Suppress(ctx, r.FinalRecipient, reason, "dsn"); err != nil {
				return Result{}, fmt.Errorf("inbound: bounce: %w", err)
			}
			notes = append(notes, fmt.Sprintf("permanent failure %s for %s; address suppressed", r.Status, r.FinalRecipient))
		}
	}
	if len(notes) == 0 {
		notes = append(notes, "delivery failure report without a readable recipient")
	}
	return p.finish(ctx, rec, ActionBounce, strings.Join(notes, "; "))
}
