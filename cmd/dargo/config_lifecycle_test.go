package main

import (
	"strings"
	"testing"
	"time"

	"github.com/dargo-support/dargo/store"
)

// TestLifecycleSettings: the auto-close, close and reopen settings have
// their defaults, take 0 for off, and refuse what is not a whole number in
// range, or a warning no sooner than the auto-close, with the setting's
// name in the error.
func TestLifecycleSettings(t *testing.T) {
	load := func(env map[string]string) (*Config, error) {
		return LoadConfig(func(k string) string { return env[k] })
	}
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Lifecycle != store.DefaultLifecycle() {
		t.Errorf("defaults %+v, want %+v", c.Lifecycle, store.DefaultLifecycle())
	}
	c, err = load(map[string]string{"DARGO_AUTOCLOSE_DAYS": "0", "DARGO_AUTOCLOSE_WARN_HOURS": "0", "DARGO_CLOSE_DAYS": "0", "DARGO_REOPEN_DAYS": "0"})
	if err != nil || c.Lifecycle != (store.Lifecycle{}) {
		t.Errorf("all off: %+v, %v", c.Lifecycle, err)
	}
	c, err = load(map[string]string{"DARGO_AUTOCLOSE_DAYS": "3", "DARGO_AUTOCLOSE_WARN_HOURS": "12", "DARGO_CLOSE_DAYS": "1", "DARGO_REOPEN_DAYS": "90"})
	if want := (store.Lifecycle{AutoClose: 3 * store.Day, Warn: 12 * time.Hour, Close: store.Day, Reopen: 90 * store.Day}); err != nil || c.Lifecycle != want {
		t.Errorf("set: %+v, %v", c.Lifecycle, err)
	}
	for _, bad := range []struct{ name, value, says string }{
		{"DARGO_AUTOCLOSE_DAYS", "-1", "whole number from 0"},
		{"DARGO_AUTOCLOSE_DAYS", "7d", "whole number from 0"},
		{"DARGO_CLOSE_DAYS", "1.5", "whole number from 0"},
		{"DARGO_REOPEN_DAYS", "99999", "whole number from 0"},
		{"DARGO_AUTOCLOSE_WARN_HOURS", "168", "must come before the auto-close"},
	} {
		_, err := load(map[string]string{bad.name: bad.value})
		if err == nil || !strings.Contains(err.Error(), bad.name) || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("%s=%s: err = %v", bad.name, bad.value, err)
		}
	}
	// No warning with auto-close off is fine, whatever the hours.
	if _, err := load(map[string]string{"DARGO_AUTOCLOSE_DAYS": "0", "DARGO_AUTOCLOSE_WARN_HOURS": "500"}); err != nil {
		t.Errorf("warning hours with auto-close off: %v", err)
	}
}
