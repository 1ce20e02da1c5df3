package transport

import (
	"testing"
	"time"
)

// TestConsumerDefaults: a killed consumer holds its mail for at most a
// minute, shutdown fits inside the 30 s after SIGTERM with room for a whole
// long poll, and a failed message never asks for more than the visibility.
func TestConsumerDefaults(t *testing.T) {
	o := NewConsumer(ConsumerOpts{}).opts
	if o.Visibility != time.Minute || o.Grace != 25*time.Second || o.PollWait != 20*time.Second || o.Retry != 30*time.Second {
		t.Errorf("defaults: visibility %v, grace %v, poll %v, retry %v; want 1m, 25s, 20s, 30s", o.Visibility, o.Grace, o.PollWait, o.Retry)
	}
	if o.Name != QueueInbound || o.DLQInterval != time.Minute {
		t.Errorf("defaults: name %q, DLQ interval %v; want %q, 1m", o.Name, o.DLQInterval, QueueInbound)
	}
	if o.PollWait >= o.Grace || o.Grace >= 30*time.Second {
		t.Errorf("a poll of %v does not fit in a grace of %v, or the grace not in 30 s", o.PollWait, o.Grace)
	}
	if gateMaxPause > o.Visibility || o.Retry > o.Visibility {
		t.Errorf("back-off cap %v or retry %v above the visibility %v", gateMaxPause, o.Retry, o.Visibility)
	}
	for _, c := range []struct{ in, want time.Duration }{{-time.Second, 20 * time.Second}, {500 * time.Millisecond, time.Second},
		{1500 * time.Millisecond, time.Second}, {5 * time.Second, 5 * time.Second}, {time.Minute, 20 * time.Second}} {
		if got := NewConsumer(ConsumerOpts{PollWait: c.in}).opts.PollWait; got != c.want {
			t.Errorf("PollWait %v became %v, want %v (SQS takes whole seconds, 1 to 20)", c.in, got, c.want)
		}
	}
}
