package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
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

// StaleRelayed returns up to limit outbox rows handed to Redis before
// cutoff whose mail is still queued, oldest hand-over first, and marks
// them handed over now, so that each comes up again only after another
// wait. Redis is a cache of work: its tasks may be gone (a restart without
// persistence), and these rows are how they are found again. A mail whose
// send is under way (a claim younger than claimTTL) is not stale.
func (db *DB) StaleRelayed(ctx context.Context, cutoff time.Time, claimTTL time.Duration, limit int) ([]OutboxRow, error) {
	now := db.Now()
	var out []OutboxRow
	err := db.InTx(ctx, func(tx *Tx) error {
		skip := ""
		if db.Dialect == Postgres {
			skip = ` FOR UPDATE OF o SKIP LOCKED`
		}
		err := tx.SelectContext(ctx, &out, tx.q(`SELECT o.* FROM outbox o JOIN emails e ON e.id = o.email_id
			WHERE e.status = 'queued' AND o.relayed_at IS NOT NULL AND o.relayed_at <= ?
				AND (e.sending_at IS NULL OR e.sending_at < ?)
			ORDER BY o.relayed_at, o.id LIMIT ?`+skip), cutoff, now.Add(-claimTTL), limit)
		if err != nil || len(out) == 0 {
			return err
		}
		ids := make([]int64, len(out))
		for i, r := range out {
			ids[i] = r.ID
		}
		query, args, err := sqlx.In(`UPDATE outbox SET relayed_at = ? WHERE id IN (?)`, now, ids)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, tx.q(query), args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: stale relayed outbox: %w", err)
	}
	return out, nil
}

// QueuedOutbox returns the outbox row of a mail still queued, for the
// relay to hand to Redis again; ErrNotQueued when the mail is no longer
// queued.
func (db *DB) QueuedOutbox(ctx context.Context, emailID int64) (*OutboxRow, *Email, error) {
	e, err := db.Email(ctx, emailID)
	if err != nil {
		return nil, nil, err
	}
	if e.Status != EmailQueued {
		return nil, e, fmt.Errorf("store: email %d: %w", emailID, ErrNotQueued)
	}
	var o OutboxRow
	if err := db.X.GetContext(ctx, &o, db.q(`SELECT * FROM outbox WHERE email_id = ? ORDER BY id LIMIT 1`), emailID); err != nil {
		return nil, e, notFound(err, fmt.Sprintf("outbox of email %d", emailID))
	}
	return &o, e, nil
}

// TicketEmails returns the mail sent (or meant to be sent) about a
// ticket, oldest first: its mail log.
func (db *DB) TicketEmails(ctx context.Context, ticketID int64) ([]Email, error) {
	var out []Email
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM emails WHERE ticket_id = ? ORDER BY id`), ticketID); err != nil {
		return nil, fmt.Errorf("store: ticket emails: %w", err)
	}
	return out, nil
}
