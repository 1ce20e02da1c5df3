// Package metricstest reads a collector's current value in tests.
package metricstest

import "github.com/prometheus/client_golang/prometheus"

// Sample is the value of c's series whose one label is label (any series
// when label is ""), 0 when it does not exist. It gathers through a
// registry rather than testutil.ToFloat64, which would add
// kylelemons/godebug to go.mod for one helper.
func Sample(c prometheus.Collector, label string) float64 {
	v, _ := Lookup(c, label)
	return v
}

// Lookup is Sample, and whether the series exists.
func Lookup(c prometheus.Collector, label string) (float64, bool) {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		panic(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if label != "" && (len(m.GetLabel()) != 1 || m.GetLabel()[0].GetValue() != label) {
				continue
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue(), true
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue(), true
			case m.GetHistogram() != nil:
				return float64(m.GetHistogram().GetSampleCount()), true
			}
		}
	}
	return 0, false
}
