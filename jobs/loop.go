package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// runLoop calls pass until ctx is done: again at once while pass reports
// more work, else after interval, backing off (up to maxRelayBackoff) while
// it fails. A failure is logged when it starts ("<what> failing") and when
// it ends ("<what> recovered"), not on every pass; a panic in pass is a
// failure.
func runLoop(ctx context.Context, log *slog.Logger, what string, interval time.Duration, pass func(ctx context.Context) (more bool, err error)) {
	wait := interval
	var failing error
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		more, err := safePass(ctx, what, pass)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			if failing == nil {
				log.Error(what+" failing", "err", err)
			}
			failing = err
			wait = min(max(2*wait, interval), maxRelayBackoff)
		default:
			if failing != nil {
				log.Info(what + " recovered")
				failing = nil
			}
			wait = interval
			if more {
				wait = 0
			}
		}
		t.Reset(wait)
	}
}

// safePass is pass with a panic turned into an error.
func safePass(ctx context.Context, what string, pass func(ctx context.Context) (bool, error)) (more bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("jobs: %s panic: %v", what, p)
		}
	}()
	return pass(ctx)
}
