package store

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// EmailStaffUnrecorded tells a staff member that their answer by mail to a
// digest about several tickets was not recorded (it cannot say which
// ticket it is for) and nothing was sent. The emails row's subject is the
// answer's subject.
const EmailStaffUnrecorded = "staff_unrecorded"

// DigestAnswerEvery is how often one staff member may be told that an
// answer to a digest was not recorded: an autoresponder answering the
// notice, which answers to the same address, cannot start a loop.
const DigestAnswerEvery = time.Hour

// QueueDigestAnswerNotice queues the notice that staffID's answer to a
// digest was not recorded, unless they are not staff (or were erased) or
// got one (queued, sent or suppressed) within DigestAnswerEvery; it reports
// whether it queued one. The check and the write are one transaction that
// holds a lock on the staff member (a PostgreSQL advisory lock; SQLite's
// IMMEDIATE transactions serialize writers), so two answers arriving at
// once on two inbound replicas queue one notice.
func (db *DB) QueueDigestAnswerNotice(ctx context.Context, staffID int64, subject string) (bool, error) {
	queued := false
	err := db.InTx(ctx, func(tx *Tx) error {
		if db.Dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727476, hashtext($1))`, strconv.FormatInt(staffID, 10)); err != nil {
				return err
			}
		}
		var u User
		if err := tx.GetContext(ctx, &u, tx.q(`SELECT * FROM users WHERE id = ?`), staffID); err != nil {
			return notFound(err, fmt.Sprintf("user %d", staffID))
		}
		if u.ErasedAt != nil || u.Role != RoleStaff && u.Role != RoleAdmin {
			return nil
		}
		now := db.Now()
		var n int
		if err := tx.GetContext(ctx, &n, tx.q(`SELECT COUNT(*) FROM emails WHERE user_id = ? AND kind = ? AND created_at > ?`),
			u.ID, EmailStaffUnrecorded, now.Add(-DigestAnswerEvery)); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		status, err := tx.QueueEmail(ctx, QueuedEmail{UserID: &u.ID, To: u.Email, Kind: EmailStaffUnrecorded, Subject: subject, Auto: true})
		queued = status == EmailQueued
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: queue digest answer notice: %w", err)
	}
	return queued, nil
}
