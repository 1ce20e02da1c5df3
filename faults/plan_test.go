//go:build faults

package faults

import (
	"fmt"
	"syscall"
	"time"
)

// topology is what the faults act on.
type topology struct {
	pg    *postgres
	redis *redisServer
	sup   *supervisor
	ses   *sesProxy
}

// fault is one injected failure; inject returns when it is over (the
// killed process restarted, the stopped service started again).
type fault struct {
	name       string
	inject     func(*topology) error
	start, end time.Time
}

// plan is the faults of one round, in order. Each is given faultGap to
// settle before the next. Redis restarts after PostgreSQL's outage, when
// tasks that failed for want of the database wait in Redis for a retry.
func plan() []*fault {
	return []*fault{
		{name: "kill -9 inbound", inject: kill("inbound")},
		{name: "kill -9 worker inside SES", inject: func(tp *topology) error {
			// The one place a mail may go out twice: wait until SES has
			// taken a mail and the worker has not heard back.
			tp.ses.waitHeld(10 * time.Second)
			return kill("worker")(tp)
		}},
		{name: "PostgreSQL down 10 s", inject: func(tp *topology) error {
			if err := tp.pg.stop(); err != nil {
				return err
			}
			time.Sleep(10 * time.Second)
			return tp.pg.start()
		}},
		{name: "Redis restarted empty", inject: func(tp *topology) error {
			tp.redis.stop()
			time.Sleep(3 * time.Second)
			return tp.redis.start()
		}},
		{name: "SIGTERM inbound and worker", inject: func(tp *topology) error {
			return restart(tp.sup, syscall.SIGTERM, 0, "inbound", "worker")
		}},
	}
}

// kill sends SIGKILL to role; it is restarted 2 s later.
func kill(role string) func(*topology) error {
	return func(tp *topology) error { return restart(tp.sup, syscall.SIGKILL, 2*time.Second, role) }
}

// restart signals roles and waits until each runs as a new process.
func restart(sup *supervisor, sig syscall.Signal, after time.Duration, roles ...string) error {
	old := sup.pids()
	for _, role := range roles {
		if !sup.signal(role, sig, after) {
			return fmt.Errorf("faults: %s is not running", role)
		}
	}
	deadline := time.Now().Add(90 * time.Second)
	for _, role := range roles {
		for {
			if pid, ok := sup.pids()[role]; ok && pid != old[role] {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("faults: %s did not come back within 90 s of %v", role, sig)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}
