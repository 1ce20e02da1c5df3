package transport

import (
	"log/slog"
	"sync"
	"time"
)

// gateMaxPause caps the gate's back-off: the longest a recovered database
// waits for the consumer to notice.
const gateMaxPause = 15 * time.Second

// gateLogEvery is how often a gate stuck at gateMaxPause logs that it still is.
const gateLogEvery = time.Minute

// gateBackoff is the pause before re-check n (from 0) of a failed pipeline:
// 1 s, 2 s, 4 s, 8 s, then 15 s for good.
func gateBackoff(n int) time.Duration {
	if n < 0 {
		n = 0
	}
	if n >= 4 {
		return gateMaxPause
	}
	return min(time.Second<<n, gateMaxPause)
}

// gate stops the consumer after a pipeline error (the database is down):
// receivers do not receive and processors do not start mail, so that the
// messages stay on the queue instead of using up their receive counts. It is
// re-checked after a back-off of 1, 2, 4, 8 and then every 15 s: with a
// Ready func the gate opens when Ready answers, without one it opens for a
// try (the next mail closes or opens it). Each failed re-check or try moves
// one step on; a mail that goes through starts the sequence over.
type gate struct {
	log   *slog.Logger
	probe bool // a Ready func decides when the gate opens

	mu      sync.Mutex
	closed  bool
	failing bool      // failures since the last mail that went through
	step    int       // back-off step, gateBackoff(step) is the pause now
	until   time.Time // the next re-check
	since   time.Time // when the first failure closed the gate
	logged  time.Time // the last "pipeline failing" log

	probeMu sync.Mutex // one receiver at a time asks Ready
}

// fail closes the gate after a mail failed in the pipeline (or a re-check
// failed with err; a mail's error is logged where it is handled) and returns the pause now in force, which is also how long the
// failed message should stay invisible. Several mails failing at once are
// one step; a failure long after the last re-check is a new outage.
func (g *gate) fail(err error) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	switch {
	case !g.failing || now.Sub(g.until) > gateLogEvery:
		g.step, g.since = 0, now
	case g.closed && now.Before(g.until):
		return gateBackoff(g.step) // the same failure, seen by another processor
	default:
		g.step++ // a re-check or try after a pause failed
	}
	g.closed, g.failing = true, true
	pause := gateBackoff(g.step)
	g.until = now.Add(pause)
	if g.step == 0 || pause > gateBackoff(g.step-1) || now.Sub(g.logged) >= gateLogEvery {
		g.logged = now
		args := []any{"retry_in", pause.String(), "down_for", now.Sub(g.since).Round(time.Second).String()}
		if err != nil {
			args = append(args, "err", err)
		}
		g.log.Warn("pipeline failing; not receiving", args...)
	}
	return pause
}

// ready opens the gate after Ready answered.
func (g *gate) ready() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		g.closed = false
		g.log.Info("pipeline ready again; receiving", "down_for", time.Since(g.since).Round(time.Second).String())
	}
}

// ok notes a mail that went through: the gate opens and the back-off starts over.
func (g *gate) ok() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failing && !g.probe {
		g.log.Info("pipeline working again; receiving", "down_for", time.Since(g.since).Round(time.Second).String())
	}
	g.closed, g.failing, g.step = false, false, 0
}

// open reports whether mail may be started now.
func (g *gate) open() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.closed || (!g.probe && !time.Now().Before(g.until))
}

// pause is how long to wait before the next re-check, and whether the gate
// is closed at all.
func (g *gate) pause() (time.Duration, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		return 0, false
	}
	return max(time.Until(g.until), 0), true
}

// backoff is the pause in force: how long a message that finds the gate
// closed stays invisible.
func (g *gate) backoff() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return gateBackoff(g.step)
}

// trying reports whether the gate is open for a try after failures: until
// a mail goes through the receivers poll for one message at a time, so
// that a failure Ready does not see (S3, say) uses up the receive counts of
// a few messages per re-check rather than of whole batches.
func (g *gate) trying() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failing
}

// due reports whether the gate is closed and its re-check is due.
func (g *gate) due() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed && !time.Now().Before(g.until)
}
