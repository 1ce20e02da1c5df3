//go:build faults

package faults

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

const (
	rate      = 500 * time.Millisecond // one mail per this: 2 a second
	warmup    = 10 * time.Second       // load before the first fault
	faultGap  = 35 * time.Second       // from one fault's start to the next's
	recoverBy = 120 * time.Second      // after the last fault's end, all mail is done
)

// TestFaults runs the topology under load through the faults of plan (for
// DARGO_FAULTS_SOAK, again and again) and checks that nothing was lost or
// doubled and that everything was done within recoverBy.
func TestFaults(t *testing.T) {
	soak := envDuration(t, "DARGO_FAULTS_SOAK")
	extraWait := envDuration(t, "DARGO_FAULTS_WAIT")
	bin := dargoBinary(t)
	tp := &topology{pg: startPostgres(t), redis: startRedis(t)}
	aws := startAWS(t)
	tp.ses = aws.ses
	env := processEnv(t, tp.pg, tp.redis, aws)
	migrate(t, bin, env)
	logs := logDir(t)
	t.Logf("binary %s; process logs in %s", bin, logs)
	tp.sup = newSupervisor(bin, env, logs)
	for _, role := range []string{"inbound", "worker", "scheduler", "web"} {
		// Each its own ops listener, for the goroutine count (a binary from
		// before they existed ignores the setting).
		tp.sup.runEnv(role, []string{fmt.Sprintf("DARGO_OPS_ADDR=127.0.0.1:%d", freePort(t))}, role)
	}
	t.Cleanup(func() {
		if err := tp.sup.stop(); err != nil {
			t.Error(err)
		}
	})
	db, err := sql.Open("pgx", tp.pg.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	run := make([]byte, 3)
	rand.Read(run)
	ld := &load{client: aws.sqs, queueURL: aws.queueURL, run: hex.EncodeToString(run), byTok: map[string]*mail{}}
	obs := &observer{db: db, motoURL: aws.endpoint, load: ld}
	smp := &sampler{samples: map[string][]usage{}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	loadCtx, stopLoad := context.WithCancel(ctx)
	goEvery(&wg, loadCtx, 0, func() { ld.send(loadCtx, rate) })
	goEvery(&wg, ctx, time.Second, func() { obs.poll(ctx) })

	time.Sleep(warmup) // and the processes are past their start when sampled
	saveMetrics(t, tp.sup.opsAddrs(), logs, "warm", false)
	goEvery(&wg, ctx, sampleEvery, func() { smp.sample(tp.sup.pids(), tp.sup.opsAddrs()) })
	faults := inject(t, tp, soak)
	lastEnd := faults[len(faults)-1].end
	time.Sleep(time.Until(lastEnd.Add(window)))
	saveMetrics(t, tp.sup.opsAddrs(), logs, "end", os.Getenv("DARGO_FAULTS_BIN") == "")
	stopLoad()
	deadline := lastEnd.Add(max(recoverBy, extraWait))
	for !allDone(ld) && time.Now().Before(deadline) {
		time.Sleep(time.Second)
	}
	cancel()
	wg.Wait()
	obs.poll(context.Background())
	hasColumn, err := obs.readInterrupted(context.Background())
	if err != nil {
		t.Error(err)
	}
	report(t, ld, tp.sup, faults, time.Since(lastEnd))
	check(t, ld, hasColumn, lastEnd.Add(recoverBy))
	t.Logf("processes over the run:\n%s", smp.summary())
	if soak > 0 {
		for _, g := range smp.growth() {
			t.Errorf("steady growth: %s", g)
		}
	}
}

// inject runs the plan once, or for soak, round after round; each fault
// starts faultGap after the one before.
func inject(t *testing.T, tp *topology, soak time.Duration) []*fault {
	var done []*fault
	begin := time.Now()
	for round := 1; round == 1 || time.Since(begin) < soak; round++ {
		for _, f := range plan() {
			if len(done) > 0 {
				time.Sleep(time.Until(done[len(done)-1].start.Add(faultGap)))
			}
			f.start = time.Now()
			err := f.inject(tp)
			f.end = time.Now()
			t.Logf("%s: %s, over after %s", f.start.Format("15:04:05"), f.name, f.end.Sub(f.start).Round(100*time.Millisecond))
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			done = append(done, f)
		}
	}
	return done
}

func allDone(ld *load) bool {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	for _, m := range ld.mails {
		if !m.done() {
			return false
		}
	}
	return true
}

// goEvery runs f every interval (once, for 0) until ctx ends.
func goEvery(wg *sync.WaitGroup, ctx context.Context, interval time.Duration, f func()) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			f()
			if interval == 0 {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(interval):
			}
		}
	}()
}

func envDuration(t *testing.T, name string) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}
