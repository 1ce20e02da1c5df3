package outbound

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/dargo-support/dargo/internal/metrics"
)

// The SES metrics are globals: the tests that read them measure before and
// after, and none of them runs in parallel.

// sesErrorClasses are the classes of dargo_ses_errors_total.
var sesErrorClasses = []string{"throttled", "permanent", "unsure", "temporary"}

// sesErrorCounts reads dargo_ses_errors_total by class.
func sesErrorCounts() map[string]float64 {
	n := map[string]float64{}
	for _, c := range sesErrorClasses {
		n[c] = testutil.ToFloat64(metrics.SESErrors.WithLabelValues(c))
	}
	return n
}

// checkSESErrorCounted checks that one SES error of class ("" for none) was
// counted since before, and nothing else.
func checkSESErrorCounted(t *testing.T, before map[string]float64, class string) {
	t.Helper()
	after := sesErrorCounts()
	for _, c := range sesErrorClasses {
		want := 0.0
		if c == class {
			want = 1
		}
		if d := after[c] - before[c]; d != want {
			t.Errorf("SES errors {%s} +%v, want +%v", c, d, want)
		}
	}
}

// sendDurations is the sample count of dargo_ses_send_duration_seconds,
// as a scrape reads it.
func sendDurations(t *testing.T) uint64 {
	t.Helper()
	r := prometheus.NewRegistry()
	r.MustRegister(metrics.SESSendDuration)
	mfs, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			n += m.GetHistogram().GetSampleCount()
		}
	}
	return n
}
