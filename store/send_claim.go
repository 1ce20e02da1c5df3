package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrSendClaimed is returned by ClaimSend when another attempt is sending
// the mail right now (its claim is younger than the claim's time to live).
var ErrSendClaimed = errors.New("store: another attempt is sending this email")

// SendClaim is what ClaimSend recorded.
type SendClaim struct {
	Attempt int // this attempt's number, from 1
	// Interrupted: an earlier attempt was cut off inside the SES call (or
	// ended not knowing whether SES took the mail); it may have gone out,
	// so this one may double it.
	Interrupted bool
	// Until is when a claim found by ErrSendClaimed runs out.
	Until time.Time
}

// ClaimSend records, before the mail is handed to SES, that an attempt is
// under way: attempts goes up and sending_at is set. A claim younger than
// ttl belongs to a live attempt (a send never runs longer than ttl), so
// the mail is left to it: ErrSendClaimed, with the claim's end in Until.
// An older one was cut off (the worker was killed inside the SES call):
// this attempt takes over and interrupted goes up. A mail no longer queued
// is ErrNotQueued.
func (db *DB) ClaimSend(ctx context.Context, id int64, ttl time.Duration) (SendClaim, error) {
	now := db.Now()
	var c struct {
		Attempts    int `db:"attempts"`
		Interrupted int `db:"interrupted"`
	}
	err := db.X.GetContext(ctx, &c, db.q(`UPDATE emails SET attempts = attempts + 1,
			interrupted = interrupted + CASE WHEN sending_at IS NULL THEN 0 ELSE 1 END,
			sending_at = ?
		WHERE id = ? AND status = 'queued' AND (sending_at IS NULL OR sending_at < ?)
		RETURNING attempts, interrupted`), now, id, now.Add(-ttl))
	if err == nil {
		return SendClaim{Attempt: c.Attempts, Interrupted: c.Interrupted > 0}, nil
	}
	if !errors.Is(err, sqlErrNoRows) {
		return SendClaim{}, fmt.Errorf("store: claim email %d: %w", id, err)
	}
	e, err := db.Email(ctx, id)
	if err != nil {
		return SendClaim{}, err
	}
	if e.Status != EmailQueued {
		return SendClaim{}, fmt.Errorf("store: claim email %d: %w", id, ErrNotQueued)
	}
	until := now
	if e.SendingAt != nil {
		until = e.SendingAt.Add(ttl)
	}
	return SendClaim{Until: until}, fmt.Errorf("store: claim email %d: %w", id, ErrSendClaimed)
}

// EndAttempt clears the claim of attempt (its number from ClaimSend), an
// attempt that did not send: SES answered with an error, so the mail is
// not out. unsure is for an attempt whose outcome is unknown (the
// connection broke or timed out after the mail was written): it counts as
// interrupted, since the next attempt may send it a second time. Only the
// attempt's own claim is cleared: an attempt that ends after its claim ran
// out and another attempt took over leaves that one's claim alone.
func (db *DB) EndAttempt(ctx context.Context, id int64, attempt int, unsure bool) error {
	add := 0
	if unsure {
		add = 1
	}
	_, err := db.X.ExecContext(ctx, db.q(`UPDATE emails SET sending_at = NULL, interrupted = interrupted + ?
		WHERE id = ? AND attempts = ? AND status = 'queued' AND sending_at IS NOT NULL`), add, id, attempt)
	if err != nil {
		return fmt.Errorf("store: end attempt of email %d: %w", id, err)
	}
	return nil
}
