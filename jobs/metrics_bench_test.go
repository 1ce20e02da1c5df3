package jobs

import (
	"context"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/store"
)

// BenchmarkMetricsPerMail measures what the metrics add to one mail: its
// task run counted and timed by instrument, and its send counted.
func BenchmarkMetricsPerMail(b *testing.B) {
	h := instrument(asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		countMail(store.EmailConfirmation, mailSent)
		return nil
	}))
	task := asynq.NewTask(TypeEmailSend, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := h.ProcessTask(ctx, task); err != nil {
			b.Fatal(err)
		}
	}
}
