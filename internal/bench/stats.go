package bench

import (
	"math"
	"runtime"
	"slices"
	"time"
)

// timing collects the latencies of one figure.
type timing []time.Duration

// row makes a row of n operations in elapsed, with the latency percentiles
// when each operation was timed.
func (t timing) row(name string, n int, elapsed time.Duration, unit string) Row {
	r := Row{Name: name, N: n, Unit: unit}
	if elapsed > 0 {
		r.PerSecond = float64(n) / elapsed.Seconds()
	}
	if len(t) > 0 {
		s := slices.Clone(t)
		slices.Sort(s)
		r.P50Ms, r.P95Ms, r.P99Ms = ms(percentile(s, 50)), ms(percentile(s, 95)), ms(percentile(s, 99))
	}
	return r
}

// percentile is the nearest-rank p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Millisecond)*100) / 100 }

// allocated is the process's heap allocated so far, in bytes.
func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}
