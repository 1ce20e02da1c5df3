package store

import (
	"context"
	"fmt"
	"time"
)

// MailLag is how far mail is behind: outbox rows due and not yet handed
// to Redis, and mail queued but not yet sent, by age.
type MailLag struct {
	Unrelayed      int           // outbox rows due, not on the queue
	UnrelayedAge   time.Duration // how long the oldest of them has been due
	Queued         int           // emails queued and due (not held for an undo)
	QueuedAge      time.Duration // how long the oldest of them has been due
	QueuedOver2Min int           // of Queued, those due for more than two minutes
}

// queuedDue is the time each queued mail became due: when it was queued,
// or when its hold for an undo ended.
const queuedDue = `SELECT e.id, COALESCE((SELECT MAX(o.not_before) FROM outbox o WHERE o.email_id = e.id), e.created_at) AS due
	FROM emails e WHERE e.status = 'queued'`

// MailLag reads the outbox and the queued mail in a few aggregate
// statements (it runs on every /metrics scrape and worker /readyz). Mail
// held for an undo is not late until its hold ends.
func (db *DB) MailLag(ctx context.Context) (MailLag, error) {
	var l MailLag
	n, age, err := db.OutboxLag(ctx)
	if err != nil {
		return l, err
	}
	l.Unrelayed, l.UnrelayedAge = n, age
	now := db.Now()
	var c struct {
		Queued int `db:"queued"`
		Over   int `db:"over"`
	}
	err = db.X.GetContext(ctx, &c, db.q(`SELECT COUNT(*) AS queued, COUNT(CASE WHEN due <= ? THEN 1 END) AS over
		FROM (`+queuedDue+`) q WHERE due <= ?`), now.Add(-2*time.Minute), now)
	if err != nil {
		return l, fmt.Errorf("store: mail lag: %w", err)
	}
	l.Queued, l.QueuedOver2Min = c.Queued, c.Over
	if c.Queued == 0 {
		return l, nil
	}
	// The oldest by id, then its times as columns: SQLite returns an
	// aggregate of a timestamp as text.
	var oldest int64
	if err := db.X.GetContext(ctx, &oldest, db.q(`SELECT id FROM (`+queuedDue+`) q WHERE due <= ? ORDER BY due, id LIMIT 1`), now); err != nil {
		return l, fmt.Errorf("store: mail lag: %w", err)
	}
	var times []struct {
		CreatedAt time.Time  `db:"created_at"`
		NotBefore *time.Time `db:"not_before"`
	}
	err = db.X.SelectContext(ctx, &times, db.q(`SELECT e.created_at, o.not_before FROM emails e
		LEFT JOIN outbox o ON o.email_id = e.id WHERE e.id = ?`), oldest)
	if err != nil {
		return l, fmt.Errorf("store: mail lag: %w", err)
	}
	for _, t := range times {
		due := t.CreatedAt
		if t.NotBefore != nil && t.NotBefore.After(due) {
			due = *t.NotBefore
		}
		l.QueuedAge = max(l.QueuedAge, now.Sub(due))
	}
	return l, nil
}
