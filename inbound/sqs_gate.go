package inbound

import (
	"sync"
	"time"
)

// gate stops the consumer after a pipeline error (the database is down):
// receivers do not receive and processors do not start mail, so that the
// messages stay on the queue instead of using up their receive counts. It
// opens again when Ready answers or, without Ready, for a try once the
// pause is over.
type gate struct {
	mu     sync.Mutex
	probe  bool // a Ready func decides when the gate opens
	closed bool
	until  time.Time
}

func (g *gate) fail(pause time.Duration) {
	g.mu.Lock()
	g.closed, g.until = true, time.Now().Add(pause)
	g.mu.Unlock()
}

func (g *gate) ok() {
	g.mu.Lock()
	g.closed = false
	g.mu.Unlock()
}

// open reports whether mail may be started now.
func (g *gate) open() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.closed || (!g.probe && !time.Now().Before(g.until))
}

// pause is how long to wait before the next try; 0 when open.
func (g *gate) pause() (time.Duration, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		return 0, false
	}
	return max(time.Until(g.until), 0), true
}
