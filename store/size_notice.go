package store

import (
	"context"
	"fmt"
	"time"
)

// EmailTooLarge is the notice to someone whose mail was held because it is
// larger than DARGO_MAX_MAIL_BYTES: it was not delivered, and why. The
// emails row's subject is the held mail's subject.
const EmailTooLarge = "too_large"

// TooLargeEvery is how often one address may get a too-large notice.
const TooLargeEvery = 24 * time.Hour

// QueueTooLargeNotice queues the too-large notice to an address unless it
// got one (queued, sent or suppressed) within TooLargeEvery; it reports
// whether it queued one. The check and the write are one transaction that
// holds a lock on the address (a PostgreSQL advisory lock; SQLite's
// IMMEDIATE transactions serialize writers), so two inbound replicas
// holding two large mails from one sender at once queue one notice.
// A suppressed address gets an emails row that says so and no mail.
func (db *DB) QueueTooLargeNotice(ctx context.Context, to Person, subject string) (bool, error) {
	addr := NormalizeEmail(to.Email)
	queued := false
	err := db.InTx(ctx, func(tx *Tx) error {
		if db.Dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727475, hashtext($1))`, addr); err != nil {
				return err
			}
		}
		now := db.Now()
		var n int
		if err := tx.GetContext(ctx, &n, tx.q(`SELECT COUNT(*) FROM emails WHERE to_email = ? AND kind = ? AND created_at > ?`),
			addr, EmailTooLarge, now.Add(-TooLargeEvery)); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		status, err := tx.QueueEmail(ctx, QueuedEmail{To: addr, Kind: EmailTooLarge, Subject: subject, Auto: true})
		queued = status == EmailQueued
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: queue too-large notice: %w", err)
	}
	return queued, nil
}
