package jobs

import (
	"context"
	"fmt"
	"time"
)

// Redis is a cache of work, never its only copy: a task may be lost (Redis
// restarted without persistence, a flush), while its mail stays queued in
// the database. The relay finds such mail again and enqueues it once more
// under its outbox row's TaskID, which conflicts while the task still
// exists, so nothing is doubled.
const (
	// StaleAfter is how long after its hand-over to Redis a mail still
	// queued is handed over again.
	StaleAfter = 2 * time.Minute
	// ReconcileInterval is how often the relay looks for such mail.
	ReconcileInterval = 15 * time.Second
	// reconcileBatch is how many rows one look takes at a time.
	reconcileBatch = 500
)

// Reconcile enqueues again the mail handed to Redis before cutoff and
// still queued (store.StaleRelayed), and returns how many tasks it really
// created: those Redis had lost.
func (r *Relay) Reconcile(ctx context.Context, cutoff time.Time) (int, error) {
	created := 0
	defer func() {
		if created > 0 {
			r.log.Warn("queued emails missing from Redis were enqueued again", "count", created)
		}
	}()
	for {
		rows, err := r.store.StaleRelayed(ctx, cutoff, ClaimTTL, reconcileBatch)
		if err != nil {
			return created, err
		}
		for _, row := range rows {
			ok, err := r.enqueue(ctx, row)
			if err != nil {
				// The rows not yet enqueued were marked handed over: they
				// come up again after StaleAfter.
				return created, err
			}
			if ok {
				created++
			}
		}
		// StaleRelayed marked the rows handed over now, so the next look
		// with the same cutoff finds the rest.
		if len(rows) < reconcileBatch {
			return created, nil
		}
	}
}

// safeReconcile is Reconcile with a panic turned into an error.
func (r *Relay) safeReconcile(ctx context.Context, cutoff time.Time) (n int, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("jobs: reconcile panic: %v", p)
		}
	}()
	return r.Reconcile(ctx, cutoff)
}
