package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dargo-support/dargo/store"
)

// sendPipeline measures outbound mail end to end: the outbox rows of N
// queued mails (confirmations of new tickets, topped up to N when the
// ingest figures left fewer) relayed into Redis, taken by the worker's task
// server, composed, handed to the mailer and recorded as sent. The worker
// is the production one; its mailer is the dev outbox, which stores each
// mail in the database instead of calling SES.
func sendPipeline(ctx context.Context, r *run) ([]Row, error) {
	queued, err := count(ctx, r.db, `SELECT COUNT(*) FROM emails WHERE status = ?`, store.EmailQueued)
	if err != nil {
		return nil, err
	}
	for i := queued; i < r.sizes.Mails; i++ {
		_, err := r.db.RecordInbound(ctx, &store.Incoming{
			From:    store.Person{Email: fmt.Sprintf("send%d@customer.example", i), Name: "Customer"},
			Subject: "Bench",
			Message: store.NewMessage{Kind: store.MessageInbound, Source: store.SourceEmail, MessageID: fmt.Sprintf("send.%d@customer.example", i),
				Subject: "Bench", Text: "Hello", VisibleText: "Hello"},
			Confirm: true,
		})
		if err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
	}
	if queued, err = count(ctx, r.db, `SELECT COUNT(*) FROM emails WHERE status = ?`, store.EmailQueued); err != nil {
		return nil, err
	}
	sentBefore, err := count(ctx, r.db, `SELECT COUNT(*) FROM emails WHERE status = ?`, store.EmailSent)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	stop, err := r.o.Worker(ctx, r.db, r.redis)
	if err != nil {
		return nil, err
	}
	waitErr := waitQueued(ctx, r)
	elapsed := time.Since(start)
	if err := errors.Join(waitErr, stop()); err != nil {
		return nil, err
	}
	sent, err := count(ctx, r.db, `SELECT COUNT(*) FROM emails WHERE status = ?`, store.EmailSent)
	if err != nil {
		return nil, err
	}
	row := timing(nil).row("send_pipeline", queued, elapsed, "mails/s")
	row.Note = fmt.Sprintf("%d mails sent of %d queued; outbox → relay → Redis → worker (default concurrency) → dev outbox mailer", sent-sentBefore, queued)
	return []Row{row}, nil
}

// waitQueued returns once no mail is queued, or fails when the count did
// not move for a minute.
func waitQueued(ctx context.Context, r *run) error {
	last, progress := -1, time.Now()
	for {
		left, err := count(ctx, r.db, `SELECT COUNT(*) FROM emails WHERE status = ?`, store.EmailQueued)
		if err != nil {
			return err
		}
		if left == 0 {
			return nil
		}
		if left != last {
			last, progress = left, time.Now()
		} else if time.Since(progress) > time.Minute {
			return fmt.Errorf("%d mails still queued after a minute without progress", left)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func count(ctx context.Context, db *store.DB, q string, args ...any) (int, error) {
	var n int
	if err := db.X.GetContext(ctx, &n, db.X.Rebind(q), args...); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}
