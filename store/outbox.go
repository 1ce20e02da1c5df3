package store

import (
	"context"
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
}

// PendingOutbox returns up to limit rows not yet relayed, oldest first.
func (db *DB) PendingOutbox(ctx context.Context, limit int) ([]OutboxRow, error) {
	var out []OutboxRow
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM outbox WHERE relayed_at IS NULL ORDER BY id LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending outbox: %w", err)
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

// OutboxLag returns how many rows wait and the age of the oldest (0 when none).
func (db *DB) OutboxLag(ctx context.Context) (int, time.Duration, error) {
	var n int
	if err := db.X.GetContext(ctx, &n, `SELECT COUNT(*) FROM outbox WHERE relayed_at IS NULL`); err != nil {
		return 0, 0, fmt.Errorf("store: outbox lag: %w", err)
	}
	if n == 0 {
		return 0, 0, nil
	}
	// Not MIN(created_at): SQLite returns an aggregate of a timestamp as text.
	var oldest time.Time
	err := db.X.GetContext(ctx, &oldest, `SELECT created_at FROM outbox WHERE relayed_at IS NULL ORDER BY id LIMIT 1`)
	if err != nil {
		return 0, 0, fmt.Errorf("store: outbox lag: %w", err)
	}
	return n, db.Now().Sub(oldest), nil
}
