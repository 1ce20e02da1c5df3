package jobs_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/jobs"
)

// The orphan test needs a worker it can kill -9: the test binary itself,
// run again with these variables set (Redis address, database, password).
const (
	childAddrEnv = "DARGO_JOBS_TEST_CHILD_REDIS"
	childDBEnv   = "DARGO_JOBS_TEST_CHILD_DB"
	childPassEnv = "DARGO_JOBS_TEST_CHILD_PASSWORD"
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(childAddrEnv); addr != "" {
		db, _ := strconv.Atoi(os.Getenv(childDBEnv))
		runDoomedWorker(asynq.RedisClientOpt{Addr: addr, DB: db, Password: os.Getenv(childPassEnv)})
		return
	}
	os.Exit(m.Run())
}

// runDoomedWorker is an asynq worker whose email:send handler prints the
// id of the task it took and hangs, until the test kills the process.
func runDoomedWorker(opt asynq.RedisClientOpt) {
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency:       1,
		Queues:            jobs.DefaultQueues,
		TaskCheckInterval: 20 * time.Millisecond,
		Logger:            quietAsynq{},
		LogLevel:          asynq.FatalLevel,
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc(jobs.TypeEmailSend, func(ctx context.Context, _ *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		fmt.Println("active", id)
		<-make(chan struct{}) // hangs, as if inside a send
		return nil
	})
	if err := srv.Start(mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	<-make(chan struct{})
}
