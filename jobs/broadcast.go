package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/store"
)

// TypeBroadcastQueue queues a broadcast's mails (the web's broadcast form
// starts it; `dargo broadcast` queues in its own process).
const TypeBroadcastQueue = "broadcast:queue"

// BroadcastStore is what broadcasts need from the database beyond Store.
// It is asked of the Store (*store.DB has it) rather than listed there, so
// a Store without broadcasts fails those mails and tasks plainly.
type BroadcastStore interface {
	Broadcast(ctx context.Context, id int64) (*store.Broadcast, error)
	QueueBroadcastBatch(ctx context.Context, id int64, batch int) (*store.Broadcast, error)
}

var _ BroadcastStore = (*store.DB)(nil)

func (h *Handlers) broadcasts() (BroadcastStore, error) {
	bs, ok := h.store.(BroadcastStore)
	if !ok {
		return nil, errors.New("jobs: the store cannot load broadcasts")
	}
	return bs, nil
}

// BroadcastPayload is a broadcast:queue task's payload.
type BroadcastPayload struct {
	BroadcastID int64 `json:"broadcast_id"`
}

// NewBroadcastQueueTask returns the task that queues the broadcast's mails,
// on the low queue. Its TaskID makes a second enqueue of the same broadcast
// a conflict while the first is waiting or running.
func NewBroadcastQueueTask(id int64) (*asynq.Task, error) {
	payload, err := json.Marshal(BroadcastPayload{BroadcastID: id})
	if err != nil {
		return nil, fmt.Errorf("jobs: broadcast task: %w", err)
	}
	return asynq.NewTask(TypeBroadcastQueue, payload, asynq.Queue(QueueLow), asynq.TaskID(BroadcastTaskID(id)),
		asynq.MaxRetry(EmailMaxRetry), asynq.Timeout(time.Hour)), nil
}

// BroadcastTaskID is the asynq task id of a broadcast's queueing task.
func BroadcastTaskID(id int64) string { return fmt.Sprintf("broadcast:%d", id) }

// HandleBroadcastQueue queues the broadcast's mails batch by batch until
// every recipient has one. Each batch commits on its own, so a worker that
// stops or dies leaves the broadcast where its last batch left it, and the
// task's retry (or `dargo broadcast --resume`) continues from there.
func (h *Handlers) HandleBroadcastQueue(ctx context.Context, t *asynq.Task) error {
	var p BroadcastPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.BroadcastID <= 0 {
		return fmt.Errorf("%w: jobs: bad broadcast:queue payload %q", asynq.SkipRetry, t.Payload())
	}
	bs, err := h.broadcasts()
	if err != nil {
		return fmt.Errorf("%w: %w", asynq.SkipRetry, err)
	}
	for {
		b, err := bs.QueueBroadcastBatch(ctx, p.BroadcastID, store.DefaultBroadcastBatch)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: %w", asynq.SkipRetry, err)
		}
		if err != nil {
			return err
		}
		if b.Queued() {
			h.log.Info("broadcast queued", "broadcast", b.ID, "mails", b.QueuedCount)
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}
