package transport

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dargo-support/dargo/internal/metrics"
	"github.com/dargo-support/dargo/store"
)

// Feedback is what bounce and complaint notifications change in the database.
type Feedback interface {
	SuppressIfSent(ctx context.Context, ids []string, email, reason, source string) (bool, error)
	MarkEmailBounced(ctx context.Context, sesID, reason string) (bool, error)
	NoteEmailDelay(ctx context.Context, sesID, reason string) (bool, error)
}

var _ Feedback = (*store.DB)(nil)

// ApplyFeedback acts on a Bounce or Complaint notification: a Permanent
// bounce or a complaint suppresses each recipient the mail SES names (by
// its SES message id) was sent to, and marks that emails row failed; a
// recipient the mail was not sent to is logged and kept, as DSNs are (the
// rule is the same whoever reports). Transient and Undetermined bounces are
// recorded on the row (its status stays) and logged, the address kept.
// Both steps are idempotent, so a redelivery is harmless. An error means
// the database could not be written (try again later).
func ApplyFeedback(ctx context.Context, fb Feedback, n *Notification, log *slog.Logger) error {
	switch {
	case n.Kind == KindBounce && n.Bounce != nil:
		b := n.Bounce
		if b.BounceType != "Permanent" {
			var notes []string
			for _, r := range b.BouncedRecipients {
				log.InfoContext(ctx, "ses bounce recorded, address kept", "ses_id", n.SESID, "bounce_type", b.BounceType,
					"bounce_subtype", b.BounceSubType, "diagnostic", r.DiagnosticCode)
				notes = append(notes, strings.TrimSpace(r.EmailAddress+": "+r.DiagnosticCode))
			}
			if n.SESID == "" {
				return nil
			}
			reason := strings.ToLower(b.BounceType) + " bounce (" + b.BounceSubType + "): " + strings.Join(notes, "; ")
			if _, err := fb.NoteEmailDelay(ctx, n.SESID, reason); err != nil {
				return fmt.Errorf("inbound: feedback: %w", err)
			}
			return nil
		}
		var reasons []string
		for _, r := range b.BouncedRecipients {
			reason := strings.TrimSpace("ses bounce: " + b.BounceSubType + " " + r.DiagnosticCode)
			sent, err := suppress(ctx, fb, n.SESID, r.EmailAddress, reason, "ses-bounce", log)
			if err != nil {
				return err
			}
			if sent {
				reasons = append(reasons, r.EmailAddress+": "+reason)
			}
		}
		return markBounced(ctx, fb, n.SESID, reasons, log)
	case n.Kind == KindComplaint && n.Complaint != nil:
		reason := "complaint"
		if t := n.Complaint.ComplaintFeedbackType; t != "" {
			reason += ": " + t
		}
		var reasons []string
		for _, r := range n.Complaint.ComplainedRecipients {
			sent, err := suppress(ctx, fb, n.SESID, r.EmailAddress, reason, "ses-complaint", log)
			if err != nil {
				return err
			}
			if sent {
				reasons = []string{reason}
			}
		}
		return markBounced(ctx, fb, n.SESID, reasons, log)
	}
	return fmt.Errorf("inbound: %s notification is not feedback", n.Kind)
}

// The type labels of dargo_ses_feedback_total.
const (
	feedbackBounce     = "bounce"      // a Permanent bounce: the address is suppressed
	feedbackSoftBounce = "soft_bounce" // Transient or Undetermined: recorded, the address kept
	feedbackComplaint  = "complaint"
	feedbackDelivery   = "delivery"
)

// countFeedback counts a handled SES notification in
// dargo_ses_feedback_total: a bounce, a complaint or a Delivery; other
// kinds are not feedback and are not counted. Only SES's notifications are
// counted here, not the DSNs that come back as mail (those are the
// pipeline's "bounce" action).
func countFeedback(n *Notification) {
	var typ string
	switch {
	case n.Kind == KindBounce && n.Bounce != nil && n.Bounce.BounceType == "Permanent":
		typ = feedbackBounce
	case n.Kind == KindBounce:
		typ = feedbackSoftBounce
	case n.Kind == KindComplaint:
		typ = feedbackComplaint
	case n.Kind == KindIgnored && n.Type == "Delivery":
		typ = feedbackDelivery
	default:
		return
	}
	metrics.SESFeedback.WithLabelValues(typ).Inc()
}

// suppress suppresses addr if the mail SES sent with sesID went to it,
// and reports whether it did.
func suppress(ctx context.Context, fb Feedback, sesID, addr, reason, source string, log *slog.Logger) (bool, error) {
	if addr == "" || sesID == "" {
		return false, nil
	}
	sent, err := fb.SuppressIfSent(ctx, []string{store.SESMessageID(sesID)}, addr, reason, source)
	if err != nil {
		return false, fmt.Errorf("inbound: feedback: %w", err)
	}
	if !sent {
		log.WarnContext(ctx, "feedback names an address the mail was not sent to; not suppressed", "ses_id", sesID, "source", source)
		return false, nil
	}
	log.InfoContext(ctx, "address suppressed", "ses_id", sesID, "reason", reason, "source", source)
	return true, nil
}

// markBounced marks the emails row SES sent as failed, with the reasons of
// the recipients it was sent to; with none, the row is left as it is.
func markBounced(ctx context.Context, fb Feedback, sesID string, reasons []string, log *slog.Logger) error {
	if sesID == "" || len(reasons) == 0 {
		return nil
	}
	found, err := fb.MarkEmailBounced(ctx, sesID, strings.Join(reasons, "; "))
	if err != nil {
		return fmt.Errorf("inbound: feedback: %w", err)
	}
	if !found {
		log.InfoContext(ctx, "feedback for a mail we have no emails row for", "ses_id", sesID)
	}
	return nil
}
