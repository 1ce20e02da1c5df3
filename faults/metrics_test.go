//go:build faults

package faults

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// underLoad are families each role must show once it has worked under
// the suite's load, with a non-zero sample.
var underLoad = map[string][]string{
	"inbound":   {`dargo_inbound_mails_total{action="created"}`, "dargo_inbound_sqs_to_commit_seconds_count"},
	"worker":    {`dargo_outbound_mails_total{kind="confirmation",status="sent"}`, `dargo_tasks_total{outcome="ok",type="email:send"}`},
	"scheduler": {"go_goroutines"},
	"web":       {"go_goroutines"},
}

// saveMetrics writes each role's /metrics to dir as metrics-ROLE-WHEN.txt
// (the closing note's samples under load) and fails on a family a role
// must show by now; a binary from before /metrics is only saved.
func saveMetrics(t *testing.T, ops map[string]string, dir, when string, check bool) {
	t.Helper()
	c := http.Client{Timeout: 10 * time.Second}
	for role, addr := range ops {
		res, err := c.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Errorf("%s /metrics: %v", role, err)
			continue
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		path := filepath.Join(dir, fmt.Sprintf("metrics-%s-%s.txt", role, when))
		if err := os.WriteFile(path, body, 0o600); err != nil {
			t.Error(err)
		}
		if !check || res.StatusCode == http.StatusNotFound {
			continue
		}
		for _, want := range underLoad[role] {
			if v := sample(string(body), want); v <= 0 {
				t.Errorf("%s /metrics (%s): %s = %v under load", role, path, want, v)
			}
		}
	}
}

// sample is the value of the series named exactly series in Prometheus
// text, -1 when absent.
func sample(text, series string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			var v float64
			if _, err := fmt.Sscan(rest, &v); err == nil {
				return v
			}
		}
	}
	return -1
}
