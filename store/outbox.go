package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// OutboxRow is a mail owed to somebody, written in the same transaction as
// the event that owes it, waiting to be handed to the queue.
type OutboxRow struct {
	ID        int64      `db:"id"`
	Kind      string     `db:"kind"`
	EmailID   *int64     `db:"email_id"`
	Payload   string     `db:"payload"`
	CreatedAt time.Time  `db:"created_at"`
	RelayedAt *time.Time `db:"relayed_at"`
	// NotBefore holds the row back until then: its action can be undone until it passes.
	NotBefore *time.Time `db:"not_before"`
}

// OutboxDue returns up to limit rows not yet relayed and due (their
// not-before time, if any, has passed), oldest first. A row held back is
// left for a later pass: the database, not a timer in one process, says
// when it is due, so every relay replica agrees and a restart loses nothing.
func (db *DB) OutboxDue(ctx context.Context, limit int) ([]OutboxRow, error) {
	var out []OutboxRow
	// On PostgreSQL a row another transaction holds locked (a staff notice
	// an event is joining: lockOutbox) is left for the next pass.
	skip := ""
	if db.Dialect == Postgres {
		skip = ` FOR UPDATE SKIP LOCKED`
	}
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM outbox WHERE relayed_at IS NULL AND (not_before IS NULL OR not_before <= ?)
		ORDER BY id LIMIT ?`+skip), db.Now(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: outbox due: %w", err)
	}
	return out, nil
}

// MarkRelayed records that the rows are on the queue.
func (db *DB) MarkRelayed(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	query, args, err := sqlx.In(`UPDATE outbox SET relayed_at = ? WHERE relayed_at IS NULL AND id IN (?)`, db.Now(), ids)
	if err != nil {
		return fmt.Errorf("store: mark relayed: %w", err)
	}
	if _, err := db.X.ExecContext(ctx, db.q(query), args...); err != nil {
		return fmt.Errorf("store: mark relayed: %w", err)
	}
	return nil
}

// OutboxLag returns how many due rows wait and how long the oldest has
// been due (0 when none). Rows held for an Undo are not late.
func (db *DB) OutboxLag(ctx context.Context) (int, time.Duration, error) {
	now := db.Now()
	due := `relayed_at IS NULL AND (not_before IS NULL OR not_before <= ?)`
	var n int
	if err := db.X.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM outbox WHERE `+due), now); err != nil {
		return 0, 0, fmt.Errorf("store: outbox lag: %w", err)
	}
	if n == 0 {
		return 0, 0, nil
	}
	// Not MIN(created_at): SQLite returns an aggregate of a timestamp as text.
	var oldest OutboxRow
	err := db.X.GetContext(ctx, &oldest, db.q(`SELECT * FROM outbox WHERE `+due+` ORDER BY id LIMIT 1`), now)
	if err != nil {
		return 0, 0, fmt.Errorf("store: outbox lag: %w", err)
	}
	since := oldest.CreatedAt
	if oldest.NotBefore != nil && oldest.NotBefore.After(since) {
		since = *oldest.NotBefore
	}
	return n, now.Sub(since), nil
}

// OutboxUnrelayedCount counts outbox rows not yet handed to the queue,
// those held back for an Undo included (OutboxLag counts only the due).
func (db *DB) OutboxUnrelayedCount(ctx context.Context) (int64, error) {
	var n int64
	if err := db.X.GetContext(ctx, &n, `SELECT COUNT(*) FROM outbox WHERE relayed_at IS NULL`); err != nil {
		return 0, fmt.Errorf("store: outbox unrelayed count: %w", err)
	}
	return n, nil
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

// outboxPayload is an outbox row's JSON: the email's id, and a sealed secret when there is one.
func outboxPayload(emailID int64, sealed string) string {
	b, _ := json.Marshal(struct {
		EmailID int64  `json:"email_id"`
		Sealed  string `json:"sealed,omitempty"`
	}{emailID, sealed})
	return string(b)
}
