package jobs

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
)

// Periodic is a task the scheduler enqueues on a cron schedule (UTC).
type Periodic struct {
	Cron string
	Task func() *asynq.Task
	// Unique is how long an enqueued run blocks the next enqueue of the same
	// task: a second scheduler firing at the same time gets
	// asynq.ErrDuplicateTask.
	Unique time.Duration
}

// Schedule is every periodic task. Specs are aligned to the wall clock, not
// "@every", so two schedulers fire in the same instant and their tasks
// collide on the unique lock.
var Schedule = []Periodic{
	{Cron: "*/5 * * * *", Task: NewSweepTokensTask, Unique: 4 * time.Minute},
	{Cron: "0 * * * *", Task: NewSweepSessionsTask, Unique: 50 * time.Minute},
	{Cron: "* * * * *", Task: NewOutboxLagTask, Unique: 50 * time.Second},
	{Cron: "30 3 * * *", Task: NewSweepRetentionTask, Unique: 23 * time.Hour},
	{Cron: "15 * * * *", Task: NewPrivacyDueTask, Unique: 50 * time.Minute},
	{Cron: "*/5 * * * *", Task: NewLifecycleSweepTask, Unique: 4 * time.Minute},
	{Cron: "* * * * *", Task: NewSLABreachTask, Unique: 50 * time.Second},
}

// RegisterSchedule registers every periodic task with s, each unique for
// most of its period.
func RegisterSchedule(s *asynq.Scheduler) error {
	for _, p := range Schedule {
		t := p.Task()
		if _, err := s.Register(p.Cron, t, asynq.Unique(p.Unique)); err != nil {
			return fmt.Errorf("jobs: schedule %s: %w", t.Type(), err)
		}
	}
	return nil
}

// NewScheduler returns an asynq scheduler on UTC that logs enqueue failures,
// except the duplicates that a second scheduler is expected to cause.
func NewScheduler(redisOpt asynq.RedisConnOpt, logger *slog.Logger) *asynq.Scheduler {
	if logger == nil {
		logger = slog.Default()
	}
	return asynq.NewScheduler(redisOpt, &asynq.SchedulerOpts{
		Location: time.UTC,
		Logger:   asynqLogger{logger},
		LogLevel: asynq.WarnLevel,
		PostEnqueueFunc: func(info *asynq.TaskInfo, err error) {
			if err != nil && !errors.Is(err, asynq.ErrDuplicateTask) {
				logger.Error("scheduler could not enqueue", "err", err)
			}
		},
	})
}
