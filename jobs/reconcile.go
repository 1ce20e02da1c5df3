package jobs

import (
	"context"
	"time"
)

// Redis is a cache of work, never its only copy: a task may be lost (Redis
// restarted without persistence, a flush), while its mail stays queued in
// the database. The relay finds such mail again and enqueues it once more
// under its outbox row's TaskID, which conflicts while the task still
// exists, so nothing is doubled.
//
// The reconciliation runs beside the relay, not in its pass (RunReconcile),
// and one look takes at most reconcileBatch rows: a broadcast of 50,000
// mails waiting on the SES rate is all queued, and looking through it must
// not hold up the relaying of new mail and magic links.
const (
	// StaleAfter is how long after its hand-over to Redis a mail still
	// queued is handed over again.
	StaleAfter = 2 * time.Minute
	// ReconcileInterval is how often the reconciliation looks for such mail.
	ReconcileInterval = 15 * time.Second
	// reconcileBatch is how many rows one look takes at most.
	reconcileBatch = 500
)

// Reconcile enqueues again up to a batch of mail handed to Redis before
// cutoff and still queued (store.StaleRelayed), and returns how many
// tasks it really created: those Redis had lost.
func (r *Relay) Reconcile(ctx context.Context, cutoff time.Time) (int, error) {
	created, _, err := r.reconcile(ctx, cutoff)
	return created, err
}

// reconcile is Reconcile that also says whether the batch was full, so
// more rows may be waiting.
func (r *Relay) reconcile(ctx context.Context, cutoff time.Time) (created int, full bool, err error) {
	defer func() {
		if created > 0 {
			r.log.Warn("queued emails missing from Redis were enqueued again", "count", created)
		}
	}()
	rows, err := r.store.StaleRelayed(ctx, cutoff, ClaimTTL, r.reconcileBatch)
	if err != nil {
		return 0, false, err
	}
	for _, row := range rows {
		ok, err := r.enqueue(ctx, row)
		if err != nil {
			// The rows not yet enqueued were marked handed over: they
			// come up again after StaleAfter.
			return created, false, err
		}
		if ok {
			created++
		}
	}
	return created, len(rows) == r.reconcileBatch, nil
}

// RunReconcile reconciles until ctx is done, a look every interval (0 is
// ReconcileInterval), backing off while looks fail. The first look is for
// all mail handed over before it started, since a worker starting is
// often a Redis that restarted; while its batches come back full it looks
// again at once (StaleRelayed marked the rows it took, so the next batch
// is the rest). A failure is logged when it starts and when it ends.
func (r *Relay) RunReconcile(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = ReconcileInterval
	}
	started := time.Now()
	catchingUp := true // the first look, until it has seen every row
	runLoop(ctx, r.log, "outbox reconciliation", interval, func(ctx context.Context) (bool, error) {
		cutoff := time.Now().Add(-StaleAfter)
		if catchingUp {
			cutoff = started
		}
		_, full, err := r.reconcile(ctx, cutoff)
		if err == nil {
			catchingUp = catchingUp && full
		}
		return catchingUp, err
	})
}
