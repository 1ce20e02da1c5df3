package transport

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"
)

func TestGateBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{
		-1: time.Second, 0: time.Second, 1: 2 * time.Second, 2: 4 * time.Second, 3: 8 * time.Second,
		4: 15 * time.Second, 5: 15 * time.Second, 62: 15 * time.Second, 1000: 15 * time.Second,
	} {
		if got := gateBackoff(n); got != want {
			t.Errorf("gateBackoff(%d) = %v, want %v", n, got, want)
		}
	}
}

// countLogs is a slog handler that keeps the messages it was given.
type countLogs struct {
	mu   sync.Mutex
	msgs []string
}

func (h *countLogs) Enabled(context.Context, slog.Level) bool { return true }
func (h *countLogs) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.msgs = append(h.msgs, r.Message)
	h.mu.Unlock()
	return nil
}
func (h *countLogs) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countLogs) WithGroup(string) slog.Handler      { return h }

func (h *countLogs) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.msgs
	h.msgs = nil
	return m
}

// makeDue makes the gate's re-check due now, as if its pause had passed.
func (g *gate) makeDue() {
	g.mu.Lock()
	g.until = time.Now().Add(-time.Millisecond)
	g.mu.Unlock()
}

// TestGateSteps: with Ready, a failure closes the gate for 1 s; each failed
// re-check doubles the pause up to 15 s, logged once per step and at the
// cap once a minute; Ready answering opens it (logged once); a mail that
// goes through starts the back-off over.
func TestGateSteps(t *testing.T) {
	logs := &countLogs{}
	g := &gate{log: slog.New(logs), probe: true}
	down := errors.New("connection refused (test)")

	if p := g.fail(nil); p != time.Second || g.open() {
		t.Fatalf("first failure: pause %v, open %v; want 1s and closed", p, g.open())
	}
	if p := g.fail(nil); p != time.Second || g.backoff() != time.Second {
		t.Errorf("a second mail failing in the same pause moved the back-off to %v", p)
	}
	if g.due() {
		t.Errorf("re-check due before the pause is over")
	}
	var pauses []time.Duration
	for range 6 {
		g.makeDue()
		if !g.due() {
			t.Fatalf("re-check not due after the pause")
		}
		pauses = append(pauses, g.fail(down))
	}
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second, 15 * time.Second, 15 * time.Second}
	for i := range want {
		if pauses[i] != want[i] {
			t.Fatalf("re-check pauses %v, want %v", pauses, want)
		}
	}
	if got := logs.take(); len(got) != 5 {
		t.Errorf("%d logs for 1, 2, 4, 8, 15, 15, 15 s, want 5 (one per step, the cap once a minute): %q", len(got), got)
	}
	g.mu.Lock()
	g.logged = time.Now().Add(-gateLogEvery)
	g.mu.Unlock()
	g.makeDue()
	g.fail(down)
	if got := logs.take(); len(got) != 1 {
		t.Errorf("%d logs a minute into the cap, want 1", len(got))
	}

	g.ready()
	g.ready()
	if !g.open() {
		t.Fatalf("closed after Ready answered")
	}
	if got := logs.take(); len(got) != 1 || got[0] != "pipeline ready again; receiving" {
		t.Errorf("recovery logs %q, want one", got)
	}
	if p := g.fail(nil); p != 15*time.Second {
		t.Errorf("a failure right after Ready answered: pause %v, want the next step (15s)", p)
	}
	g.ready()
	if !g.trying() {
		t.Errorf("open after Ready answered, but not for a try")
	}
	g.ok()
	if g.trying() {
		t.Errorf("still trying after a mail went through")
	}
	if p := g.fail(nil); p != time.Second {
		t.Errorf("a failure after a mail went through: pause %v, want 1s", p)
	}
	g.ready()
	g.mu.Lock()
	g.until = time.Now().Add(-2 * gateLogEvery)
	g.mu.Unlock()
	if p := g.fail(nil); p != time.Second {
		t.Errorf("a failure long after the last re-check: pause %v, want 1s (a new outage)", p)
	}
}

// TestGateWithoutReady: without Ready the gate lets mail through for a try
// once the pause is over; a failed try is the next step, a good one opens it.
func TestGateWithoutReady(t *testing.T) {
	logs := &countLogs{}
	g := &gate{log: slog.New(logs)}
	g.fail(nil)
	if g.open() {
		t.Fatalf("open during the pause")
	}
	g.makeDue()
	if !g.open() {
		t.Fatalf("not open for a try after the pause")
	}
	if p := g.fail(nil); p != 2*time.Second {
		t.Errorf("failed try: pause %v, want 2s", p)
	}
	g.makeDue()
	logs.take()
	g.ok()
	if w, closed := g.pause(); closed || w != 0 || !g.open() {
		t.Errorf("after a good try: pause %v, closed %v", w, closed)
	}
	if got := logs.take(); len(got) != 1 || got[0] != "pipeline working again; receiving" {
		t.Errorf("recovery logs %q, want one", got)
	}
	g.ok()
	if got := logs.take(); len(got) != 0 {
		t.Errorf("logs for a mail while all is well: %q", got)
	}
}
