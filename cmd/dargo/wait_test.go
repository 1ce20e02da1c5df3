package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBackoffSequence(t *testing.T) {
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 15 * time.Second, 15 * time.Second, 15 * time.Second}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
}

// fakeClock is a waiter's clock that moves only when the waiter sleeps.
type fakeClock struct {
	now    time.Time
	slept  []time.Duration
	cancel func() // called at the sleep numbered stopAt, if set
	stopAt int
}

func (c *fakeClock) waiter(log *slog.Logger) waiter {
	return waiter{log: log, now: func() time.Time { return c.now }, sleep: func(ctx context.Context, d time.Duration) error {
		c.slept = append(c.slept, d)
		c.now = c.now.Add(d)
		if c.cancel != nil && len(c.slept) == c.stopAt {
			c.cancel()
		}
		return ctx.Err()
	}}
}

type logLine struct {
	Level      string `json:"level"`
	Msg        string `json:"msg"`
	Dependency string `json:"dependency"`
	Err        string `json:"err"`
	Attempt    int    `json:"attempt"`
	RetryIn    string `json:"retry_in"`
}

func readLog(t *testing.T, buf *bytes.Buffer) []logLine {
	t.Helper()
	var lines []logLine
	for _, s := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var l logLine
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("log line %q: %v", s, err)
		}
		lines = append(lines, l)
	}
	return lines
}

// TestWaitRetriesAndLogsOncePerStep: 20 failed attempts sleep 1, 2, 4, 8
// and then 15 s each (4 min 15 s in all); the warnings come at each step
// and at the 15 s cap at most once a minute; the success is one info line.
func TestWaitRetriesAndLogsOncePerStep(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	w := clock.waiter(slog.New(slog.NewJSONHandler(&buf, nil)))
	calls := 0
	err := w.wait(context.Background(), "database", func(ctx context.Context) error {
		if calls++; calls <= 20 {
			return errors.New("connection refused")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(clock.slept) != 20 {
		t.Fatalf("slept %d times, want 20: %v", len(clock.slept), clock.slept)
	}
	for i, d := range clock.slept {
		if d != backoff(i+1) {
			t.Errorf("sleep %d: %v, want %v", i+1, d, backoff(i+1))
		}
	}
	lines := readLog(t, &buf)
	var attempts []int
	for _, l := range lines[:len(lines)-1] {
		if l.Level != "WARN" || l.Dependency != "database" || l.Err != "connection refused" || l.RetryIn != backoff(l.Attempt).String() {
			t.Errorf("warning: %+v", l)
		}
		attempts = append(attempts, l.Attempt)
	}
	// Attempts 1-5 start the steps (the 5th is the first at the cap, 15 s
	// after the start); from there, 15 s apart, every 4th is a minute on.
	if want := []int{1, 2, 3, 4, 5, 9, 13, 17}; !slices.Equal(attempts, want) {
		t.Errorf("warned at attempts %v, want %v", attempts, want)
	}
	last := lines[len(lines)-1]
	if last.Level != "INFO" || last.Msg != "connected" || last.Dependency != "database" || last.Attempt != 21 {
		t.Errorf("last line: %+v", last)
	}
}

func TestWaitStopsWhenTold(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	clock := &fakeClock{now: time.Now(), cancel: cancel, stopAt: 3}
	var buf bytes.Buffer
	err := clock.waiter(slog.New(slog.NewJSONHandler(&buf, nil))).wait(ctx, "redis", func(ctx context.Context) error {
		return errors.New("EOF")
	})
	if !stopped(err) {
		t.Fatalf("wait returned %v, want context.Canceled", err)
	}
	if len(clock.slept) != 3 {
		t.Errorf("slept %v, want three steps then stop", clock.slept)
	}
}

func TestWaitConnectedAtOnceLogsNothing(t *testing.T) {
	var buf bytes.Buffer
	clock := &fakeClock{now: time.Now()}
	err := clock.waiter(slog.New(slog.NewJSONHandler(&buf, nil))).wait(context.Background(), "redis", func(ctx context.Context) error { return nil })
	if err != nil || buf.Len() != 0 || len(clock.slept) != 0 {
		t.Errorf("err %v, slept %v, log %q", err, clock.slept, buf.String())
	}
}

// TestWaitDBGivesUpOnARefusal: a database that does not exist (or a wrong
// password) is a configuration error no wait can fix: the process says so
// at once instead of waiting forever.
func TestWaitDBGivesUpOnARefusal(t *testing.T) {
	pgURL := os.Getenv("DARGO_TEST_POSTGRES_URL")
	if pgURL == "" {
		if os.Getenv("DARGO_TEST_REQUIRE_SERVICES") != "" {
			t.Fatal("DARGO_TEST_POSTGRES_URL is not set")
		}
		t.Skip("DARGO_TEST_POSTGRES_URL is not set")
	}
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/dargo_no_such_database"
	var buf bytes.Buffer
	env := &Env{Config: &Config{DatabaseURL: u.String()}, Log: slog.New(slog.NewJSONHandler(&buf, nil))}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = waitDB(ctx, env, newReadiness("database").dep("database"))
	if err == nil || stopped(err) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("waitDB = %v, want the refusal at once", err)
	}
	if strings.Contains(buf.String(), "waiting for database") {
		t.Errorf("it waited: %s", buf.String())
	}
}
