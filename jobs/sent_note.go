package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/dargo-support/dargo/store"
)

// Once SES has taken a mail, the only thing left is to record it; when the
// database cannot take that (it is down), a retry must not send again. So
// before recording, the handler writes a note in Redis of what it sent,
// and every run of the task looks for the note before anything else: a
// noted mail is only recorded, never sent.
const sentNoteTTL = 7 * 24 * time.Hour

// sentNoteKey is the Redis key of an email's sent note.
func sentNoteKey(emailID int64) string { return fmt.Sprintf("dargo:sent:%d", emailID) }

// sentNote is what a note keeps: the ids MarkEmailSent records.
type sentNote struct {
	SESID    string `json:"ses_id"`
	HeaderID string `json:"header_id"`
}

// noteSent writes the note of a mail SES took. Without Redis (Opts.Redis
// nil) it writes nothing and says so.
func (h *Handlers) noteSent(ctx context.Context, emailID int64, s store.Sent) error {
	if h.redis == nil {
		return errors.New("jobs: no Redis for sent notes")
	}
	b, err := json.Marshal(sentNote{SESID: s.SESID, HeaderID: s.HeaderID})
	if err != nil {
		return err
	}
	if err := h.redis.Set(ctx, sentNoteKey(emailID), b, sentNoteTTL).Err(); err != nil {
		return fmt.Errorf("jobs: note email %d sent: %w", emailID, err)
	}
	return nil
}

// dropSentNote deletes the note of a mail recorded as sent. A note left
// behind does no harm: the next run finds the mail recorded already.
func (h *Handlers) dropSentNote(ctx context.Context, log *slog.Logger, emailID int64) {
	if h.redis == nil {
		return
	}
	if err := h.redis.Del(ctx, sentNoteKey(emailID)).Err(); err != nil {
		log.Warn("sent note not deleted", "err", err)
	}
}

// recordNoted records as sent a mail an earlier run sent and noted but
// could not record, and reports whether there was such a note.
func (h *Handlers) recordNoted(ctx context.Context, log *slog.Logger, emailID int64) (bool, error) {
	if h.redis == nil {
		return false, nil
	}
	b, err := h.redis.Get(ctx, sentNoteKey(emailID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("jobs: read sent note of email %d: %w", emailID, err)
	}
	var n sentNote
	if err := json.Unmarshal(b, &n); err != nil {
		// Not ours to read; the mail may be out: never send it blindly.
		return true, fmt.Errorf("jobs: sent note of email %d unreadable: %w", emailID, err)
	}
	err = h.store.MarkEmailSent(ctx, emailID, store.Sent{SESID: n.SESID, HeaderID: n.HeaderID})
	if err != nil && !errors.Is(err, store.ErrNotQueued) {
		return true, fmt.Errorf("jobs: record email %d sent by an earlier attempt: %w", emailID, err)
	}
	h.dropSentNote(ctx, log, emailID)
	log.Info("email sent by an earlier attempt recorded", "ses_id", n.SESID)
	return true, nil
}
