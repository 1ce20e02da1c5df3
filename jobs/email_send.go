package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/internal/mailtag"
	"github.com/dargo-support/dargo/internal/seal"
	"github.com/dargo-support/dargo/outbound"
	"github.com/dargo-support/dargo/store"
)

// HandleEmailSend sends one emails row. It is idempotent: a row that is no
// longer queued (sent, failed, suppressed) is left alone, and a row another
// attempt is sending waits for it, so a second delivery of the task never
// sends twice; only a worker killed inside the SES call may leave a mail
// that goes twice, and the row then counts it (interrupted).
//
// A task out of retries whose failure the row does not record (the
// database was down, another attempt held the claim) is revoked, not
// archived: an archived task keeps its TaskID, which would keep the outbox
// reconciliation from enqueueing the still queued mail again.
func (h *Handlers) HandleEmailSend(ctx context.Context, t *asynq.Task) error {
	err := h.handleEmailSend(ctx, t)
	if err != nil && lastAttempt(ctx) && !errors.Is(err, asynq.SkipRetry) && !errors.Is(err, asynq.RevokeTask) {
		return fmt.Errorf("%w: %w", asynq.RevokeTask, err)
	}
	return err
}

func (h *Handlers) handleEmailSend(ctx context.Context, t *asynq.Task) error {
	var p EmailPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.EmailID <= 0 {
		return fmt.Errorf("%w: jobs: bad email:send payload %q", asynq.SkipRetry, t.Payload())
	}
	log := h.log.With("task_type", t.Type(), "email_id", p.EmailID)
	// An earlier run may have sent the mail and failed to record it.
	if noted, err := h.recordNoted(ctx, log, p.EmailID); noted || err != nil {
		return err
	}
	o, err := h.store.Outgoing(ctx, p.EmailID)
	if errors.Is(err, store.ErrNotFound) {
		// The row, or something the mail needs (its reply, an attachment's
		// bytes), is gone: it can never be sent. Say so on the row (a no-op
		// when the row itself is gone) instead of leaving it queued forever.
		log.Warn("email cannot be built: something it needs is gone", "err", err)
		if merr := h.store.MarkEmailFailed(ctx, p.EmailID, store.EmailFailed, err.Error()); merr != nil {
			return merr
		}
		countMail(other, mailFailed) // the row, and with it the kind, may be gone
		return fmt.Errorf("%w: %w", asynq.SkipRetry, err)
	}
	if err != nil {
		return err
	}
	if o.Email.Status != store.EmailQueued {
		log.Debug("email already handled", "status", o.Email.Status)
		return nil
	}
	// Checked again now by the rule it was queued under: the address may
	// have been suppressed, or the recipient may have objected to optional
	// mail, while it waited.
	stop, err := h.store.StopReason(ctx, &o.Email)
	if err != nil {
		return err
	}
	if stop != "" {
		// The reason may quote a bounce that names the address: not logged.
		log.Info("email not sent", "kind", o.Email.Kind, "objected", stop == store.ReasonObjected)
		if err := h.store.MarkEmailFailed(ctx, p.EmailID, store.EmailSuppressed, stop); err != nil {
			countMail(o.Email.Kind, mailRetry)
			return err
		}
		countMail(o.Email.Kind, mailSuppressed)
		return nil
	}
	id, headerID, err := h.send(ctx, log, o)
	var claimed *SendClaimedError
	switch {
	case errors.Is(err, store.ErrNotQueued):
		log.Debug("email handled by another attempt")
		return nil
	case errors.Is(err, asynq.SkipRetry): // the row is gone
		log.Warn("email gone before it was sent", "err", err)
		return err
	case errors.As(err, &claimed):
		// Retried when the claim runs out (RetryDelay); the attempt
		// holding it counts the mail.
		return err
	case errors.Is(err, errStopping):
		// Retried after the worker's restart.
		countMail(o.Email.Kind, mailRetry)
		return err
	case err != nil:
		return h.failed(ctx, o.Email.Kind, p.EmailID, err)
	}
	sent := store.Sent{HeaderID: headerID, SESID: id}
	if strings.HasPrefix(id, DevIDPrefix) {
		sent.SESID = ""
	}
	return h.record(ctx, log, p.EmailID, o.Email.Kind, sent)
}

// record records a mail SES took, with a note in Redis first so that, if
// the database cannot take it now, a retry records it instead of sending
// it again. The mail counts as sent whatever the database says: it is out,
// and the run that later records it from the note sends nothing.
func (h *Handlers) record(ctx context.Context, log *slog.Logger, emailID int64, kind string, sent store.Sent) error {
	countMail(kind, mailSent)
	noteErr := h.noteSent(ctx, emailID, sent)
	err := h.markSent(ctx, emailID, sent)
	switch {
	case err == nil || errors.Is(err, store.ErrNotQueued):
		// ErrNotQueued: the update committed but its answer was lost, and
		// the retry found it done; or the row was settled otherwise.
		if noteErr == nil {
			h.dropSentNote(context.WithoutCancel(ctx), log, emailID)
		}
		log.Info("email sent", "kind", kind, "ses_id", sent.SESID)
		return nil
	case noteErr == nil:
		// The next run finds the note and only records the mail.
		return fmt.Errorf("jobs: email %d sent (ses_id %q) but not yet recorded: %w", emailID, sent.SESID, err)
	default:
		// Neither noted nor recorded: a retry would send the mail again.
		return fmt.Errorf("%w: email %d sent (ses_id %q) but not recorded: %w", asynq.SkipRetry, emailID, sent.SESID, errors.Join(err, noteErr))
	}
}

// send builds, composes and sends the mail; it returns the sender's id and
// the Message-ID we minted.
func (h *Handlers) send(ctx context.Context, log *slog.Logger, o *store.Outgoing) (id, headerID string, err error) {
	// Build says which of its failures are permanent; Compose depends on
	// nothing but the mail: what fails now fails on every retry.
	m, err := h.build(ctx, o)
	if err != nil {
		return "", "", err
	}
	m.Tag = mailtag.Tag(h.secret, o.Email.ID, m.To.Email)
	raw, err := outbound.Compose(m)
	if err != nil {
		return "", "", &outbound.PermanentError{Err: err}
	}
	if err := h.limiter.Wait(ctx); err != nil {
		return "", "", err
	}
	id, err = h.deliver(ctx, log, o.Email.ID, m.From.Email, []string{m.To.Email}, raw)
	if err != nil {
		return "", "", err
	}
	return id, m.MessageID, nil
}

// failed decides what a failed send of a mail of kind means: a permanent
// error or the last retry marks the email failed and stops; anything else
// is retried.
func (h *Handlers) failed(ctx context.Context, kind string, emailID int64, err error) error {
	reason := ""
	switch {
	case outbound.IsPermanent(err):
		reason = err.Error()
	case lastAttempt(ctx):
		reason = "gave up retrying: " + err.Error()
	default:
		countMail(kind, mailRetry)
		return err
	}
	if merr := h.store.MarkEmailFailed(ctx, emailID, store.EmailFailed, reason); merr != nil {
		// Not marked: the mail stays queued, and the task is retried (or,
		// out of retries, revoked and reconciled).
		countMail(kind, mailRetry)
		return errors.Join(err, merr)
	}
	countMail(kind, mailFailed)
	return fmt.Errorf("%w: %w", asynq.SkipRetry, err)
}

// lastAttempt reports whether the running task has no retry left.
func lastAttempt(ctx context.Context) bool {
	n, ok := asynq.GetRetryCount(ctx)
	limit, ok2 := asynq.GetMaxRetry(ctx)
	return ok && ok2 && n >= limit
}

// markSent records the sent mail, trying a few times within
// markSentTimeout, while the attempt's claim still holds.
func (h *Handlers) markSent(ctx context.Context, id int64, s store.Sent) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markSentTimeout)
	defer cancel()
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			t := time.NewTimer(time.Duration(attempt) * 200 * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return err
			case <-t.C:
			}
		}
		err = h.store.MarkEmailSent(ctx, id, s)
		if err == nil || errors.Is(err, store.ErrNotQueued) {
			return err
		}
	}
	return err
}

// build makes the mail: a magic link from its sealed link, a broadcast
// from the broadcast's text, anything else from its row. What cannot be
// built now never can (*outbound.PermanentError), except that loading a
// broadcast can fail for a while with the database.
func (h *Handlers) build(ctx context.Context, o *store.Outgoing) (*outbound.Mail, error) {
	if o.User != nil && o.User.ErasedAt != nil {
		return nil, permanent(fmt.Errorf("jobs: mail %d: the recipient was erased", o.Email.ID))
	}
	switch o.Email.Kind {
	case store.EmailMagicLink:
		m, err := h.buildMagicLink(o)
		return m, permanent(err)
	case store.EmailBroadcast, store.EmailPolicyNotice:
		return h.buildBroadcast(ctx, o)
	case store.EmailTooLarge:
		m, err := outbound.BuildTooLarge(recipient(o), o.Email.Subject, h.outbound)
		return m, permanent(err)
	case store.EmailStaffNotice, store.EmailStaffDigest:
		return h.buildStaffNotice(ctx, o)
	case store.EmailStaffUnrecorded:
		m, err := outbound.BuildStaffUnrecorded(o, h.outbound)
		return m, permanent(err)
	default:
		m, err := outbound.Build(o, h.outbound)
		return m, permanent(err)
	}
}

// buildMagicLink opens the sealed link and makes the mail that carries it.
func (h *Handlers) buildMagicLink(o *store.Outgoing) (*outbound.Mail, error) {
	link, err := seal.Open(h.secret, o.Sealed)
	if err != nil {
		return nil, fmt.Errorf("jobs: magic link %d: %w", o.Email.ID, err)
	}
	account, lang := "", "" // the account's address now: an address change notice names it
	if o.User != nil {
		account, lang = o.User.Email, o.User.Language
	}
	return outbound.BuildLinkMail(recipient(o), string(link), account, lang, h.outbound)
}

// buildBroadcast makes one recipient's copy of a broadcast (or of a
// significant policy change's, which is a broadcast too). A recipient
// erased since the mail was queued gets nothing.
func (h *Handlers) buildBroadcast(ctx context.Context, o *store.Outgoing) (*outbound.Mail, error) {
	if o.Email.Broadcast == nil {
		return nil, permanent(fmt.Errorf("jobs: broadcast mail %d names no broadcast", o.Email.ID))
	}
	if o.User != nil && o.User.ErasedAt != nil {
		return nil, permanent(fmt.Errorf("jobs: broadcast mail %d: the recipient was erased", o.Email.ID))
	}
	bs, err := h.broadcasts()
	if err != nil {
		return nil, permanent(err)
	}
	b, err := bs.Broadcast(ctx, *o.Email.Broadcast)
	if errors.Is(err, store.ErrNotFound) {
		return nil, permanent(err)
	}
	if err != nil {
		return nil, err
	}
	build := outbound.BuildBroadcast
	if o.Email.Kind == store.EmailPolicyNotice {
		build = outbound.BuildPolicyNotice
	}
	m, err := build(recipient(o), b.Subject, b.Body, h.outbound)
	return m, permanent(err)
}

// buildStaffNotice makes a staff notice. It quotes internal notes, so it
// is never sent to anyone who is no longer staff: a person demoted (or
// erased) while it waited gets nothing, and neither does a customer.
func (h *Handlers) buildStaffNotice(ctx context.Context, o *store.Outgoing) (*outbound.Mail, error) {
	if o.User == nil || o.User.Role != store.RoleStaff && o.User.Role != store.RoleAdmin {
		return nil, permanent(fmt.Errorf("jobs: staff notice %d: the recipient is not staff; staff notices are never sent to customers", o.Email.ID))
	}
	n, err := h.store.StaffNotice(ctx, o)
	if errors.Is(err, store.ErrNotFound) {
		// Its events are gone (swept, or the ticket erased): nothing to tell.
		return nil, permanent(err)
	}
	if err != nil {
		return nil, err
	}
	build := outbound.BuildStaffNotice
	if o.Email.Kind == store.EmailStaffDigest {
		build = outbound.BuildStaffDigest
	}
	m, err := build(o, n, h.outbound)
	return m, permanent(err)
}

// recipient is the address a mail goes to, with the person's name when known.
func recipient(o *store.Outgoing) outbound.Address {
	to := outbound.Address{Email: o.Email.ToEmail}
	if o.User != nil {
		to.Name = o.User.Name
	}
	return to
}

// permanent marks err, when there is one, as a failure retries cannot fix.
func permanent(err error) error {
	if err == nil || outbound.IsPermanent(err) {
		return err
	}
	return &outbound.PermanentError{Err: err}
}
