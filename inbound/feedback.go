package inbound

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// Feedback is what bounce and complaint notifications change in the database.
type Feedback interface {
	Suppress(ctx context.Context, email, reason, source string) error
	MarkEmailBounced(ctx context.Context, sesID, reason string) (bool, error)
	NoteEmailDelay(ctx context.Context, sesID, reason string) (bool, error)
}

var _ Feedback = (*store.DB)(nil)

// ApplyFeedback acts on a Bounce or Complaint notification: a Permanent
// bounce or a complaint suppresses each recipient and marks the emails row
// of the mail SES sent as failed; Transient and Undetermined bounces are
// recorded on that row (its status stays) and logged, the address kept. Both steps are idempotent, so a redelivery is harmless. An
// error means the database could not be written (try again later).
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
			if err := suppress(ctx, fb, r.EmailAddress, reason, "ses-bounce", log); err != nil {
				return err
			}
			reasons = append(reasons, r.EmailAddress+": "+reason)
		}
		return markBounced(ctx, fb, n.SESID, strings.Join(reasons, "; "), log)
	case n.Kind == KindComplaint && n.Complaint != nil:
		reason := "complaint"
		if t := n.Complaint.ComplaintFeedbackType; t != "" {
			reason += ": " + t
		}
		for _, r := range n.Complaint.ComplainedRecipients {
			if err := suppress(ctx, fb, r.EmailAddress, reason, "ses-complaint", log); err != nil {
				return err
			}
		}
		return markBounced(ctx, fb, n.SESID, reason, log)
	}
	return fmt.Errorf("inbound: %s notification is not feedback", n.Kind)
}

func suppress(ctx context.Context, fb Feedback, addr, reason, source string, log *slog.Logger) error {
	if addr == "" {
		return nil
	}
	if err := fb.Suppress(ctx, addr, reason, source); err != nil {
		return fmt.Errorf("inbound: feedback: %w", err)
	}
	log.InfoContext(ctx, "address suppressed", "reason", reason, "source", source)
	return nil
}

func markBounced(ctx context.Context, fb Feedback, sesID, reason string, log *slog.Logger) error {
	if sesID == "" {
		return nil
	}
	found, err := fb.MarkEmailBounced(ctx, sesID, reason)
	if err != nil {
		return fmt.Errorf("inbound: feedback: %w", err)
	}
	if !found {
		log.InfoContext(ctx, "feedback for a mail we have no emails row for", "ses_id", sesID)
	}
	return nil
}
