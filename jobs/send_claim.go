package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/outbound"
	"github.com/dargo-support/dargo/store"
)

// A send is claimed on its row before the mail goes to SES (store.ClaimSend)
// and runs under SendTimeout, well inside ClaimTTL: a claim older than
// ClaimTTL can only belong to an attempt that was killed inside the SES
// call, so the next attempt takes over and the row counts it interrupted.
// SendTimeout also stays well inside the worker's shutdown grace
// (shutdownTimeout), so that a send started just before a SIGTERM ends
// before the process does.
const (
	ClaimTTL    = 40 * time.Second
	SendTimeout = 15 * time.Second
)

// markSentTimeout bounds recording a sent mail: the claim must still hold
// when it is done, or another attempt could take over and send again.
const markSentTimeout = ClaimTTL - SendTimeout - claimMargin

// errStopping is returned, to be retried later, by a send that the
// worker's shutdown caught before it called SES.
var errStopping = errors.New("jobs: worker stopping: the send is left to a retry")

// claimMargin is how long after a claim's end a waiting task looks again,
// for the clocks of two workers that differ a little.
const claimMargin = 2 * time.Second

// endAttemptTimeout bounds recording the end of a failed attempt, which
// runs even when the task's context is done.
const endAttemptTimeout = 10 * time.Second

// SendClaimedError is returned by HandleEmailSend when another attempt is
// sending the mail right now; RetryDelay retries the task when that
// attempt's claim runs out.
type SendClaimedError struct {
	EmailID int64
	Until   time.Time
}

func (e *SendClaimedError) Error() string {
	return fmt.Sprintf("jobs: email %d is being sent by another attempt until %s", e.EmailID, e.Until.UTC().Format(time.RFC3339))
}

func (e *SendClaimedError) Unwrap() error { return store.ErrSendClaimed }

// deliver claims the mail and hands it to the sender. What is known of a
// failed attempt is recorded: SES answered, so the mail is not out; or the
// outcome is unknown (the connection broke, the deadline passed), and the
// next attempt may send it a second time.
//
// A worker that is stopping starts no SES call: the send might outlast the
// process.
func (h *Handlers) deliver(ctx context.Context, log *slog.Logger, id int64, from string, to []string, raw []byte) (string, error) {
	select {
	case <-h.stopping:
		return "", errStopping
	default:
	}
	claim, err := h.store.ClaimSend(ctx, id, ClaimTTL)
	if errors.Is(err, store.ErrSendClaimed) {
		return "", &SendClaimedError{EmailID: id, Until: claim.Until}
	}
	if errors.Is(err, store.ErrNotFound) {
		// The row was erased while the task waited: nothing to send, ever.
		return "", fmt.Errorf("%w: %w", asynq.SkipRetry, err)
	}
	if err != nil {
		return "", err
	}
	if claim.Interrupted {
		log.Warn("email may be sent twice: an earlier attempt was cut off inside the SES call", "attempt", claim.Attempt)
	}
	sctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	sesID, err := h.sender.Send(sctx, from, to, raw)
	if err == nil {
		return sesID, nil
	}
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), endAttemptTimeout)
	defer cancel()
	if eerr := h.store.EndAttempt(ectx, id, claim.Attempt, !sesAnswered(err)); eerr != nil {
		// The claim runs out by itself; the next attempt then counts this
		// one as interrupted, which errs on the safe side.
		log.Warn("failed send attempt not recorded", "attempt", claim.Attempt, "err", eerr)
	}
	return "", err
}

// sesAnswered reports whether a send failed with an answer from SES that
// says the mail is not out: a refusal, throttling, another 4xx. Anything
// else leaves it unknown: a 5xx (SES may have failed after taking the
// mail), a transport error, a timeout, a cancelled context.
func sesAnswered(err error) bool { return !outbound.IsUnsure(err) }
