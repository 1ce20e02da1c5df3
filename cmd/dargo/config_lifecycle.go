package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dargo-support/dargo/store"
)

// parseLifecycle reads the auto-close, close and reopen settings: whole
// days (or hours) from 0 (off) to 3650 days. A warning must come after the
// ticket went pending: it is shorter than DARGO_AUTOCLOSE_DAYS.
func parseLifecycle(get func(string) string) (store.Lifecycle, error) {
	var lc store.Lifecycle
	var errs []error
	read := func(name string, unit time.Duration, max int, to *time.Duration) {
		n, err := strconv.Atoi(get(name))
		if err != nil || n < 0 || n > max {
			errs = append(errs, fmt.Errorf("%s: want a whole number from 0 (off) to %d, got %q", name, max, get(name)))
			return
		}
		*to = time.Duration(n) * unit
	}
	read("DARGO_AUTOCLOSE_DAYS", store.Day, 3650, &lc.AutoClose)
	read("DARGO_AUTOCLOSE_WARN_HOURS", time.Hour, 3650*24, &lc.Warn)
	read("DARGO_CLOSE_DAYS", store.Day, 3650, &lc.Close)
	read("DARGO_REOPEN_DAYS", store.Day, 3650, &lc.Reopen)
	if len(errs) == 0 && lc.AutoClose > 0 && lc.Warn >= lc.AutoClose {
		errs = append(errs, fmt.Errorf("DARGO_AUTOCLOSE_WARN_HOURS: the warning (%d hours) must come before the auto-close (DARGO_AUTOCLOSE_DAYS=%d, %d hours); lower it or set 0 for no warning",
			int(lc.Warn/time.Hour), int(lc.AutoClose/store.Day), int(lc.AutoClose/time.Hour)))
	}
	return lc, errors.Join(errs...)
}
