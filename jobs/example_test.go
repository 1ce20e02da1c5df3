package jobs_test

import (
	"fmt"

	"github.com/hibiken/asynq"

	"github.com/dargo-support/dargo/jobs"
)

func ExampleParseRedisURL() {
	opt, err := jobs.ParseRedisURL("redis-cluster://n1:7000,n2:7001,n3")
	if err != nil {
		panic(err)
	}
	fmt.Println(opt.(asynq.RedisClusterClientOpt).Addrs)
	// Output: [n1:7000 n2:7001 n3:6379]
}
