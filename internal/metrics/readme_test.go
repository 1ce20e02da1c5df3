package metrics_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dargo-support/dargo/internal/metrics"
)

// TestReadmeListsEveryFamily: the README's metrics table lists every
// family with its type and labels, and nothing that does not exist.
func TestReadmeListsEveryFamily(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "\n### Metrics\n")
	if !ok {
		t.Fatal(`README.md has no "### Metrics" section`)
	}
	section, _, _ = strings.Cut(section, "\n#")
	listed := map[string]metrics.Def{}
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `dargo_") {
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 5 {
			t.Errorf("README row %q: want name | type | labels | meaning", line)
			continue
		}
		d := metrics.Def{Name: strings.Trim(strings.TrimSpace(cells[1]), "`"), Type: strings.TrimSpace(cells[2])}
		for _, l := range strings.Split(cells[3], ",") {
			if l = strings.Trim(strings.TrimSpace(l), "`"); l != "" && l != "—" {
				d.Labels = append(d.Labels, l)
			}
		}
		listed[d.Name] = d
	}
	for _, d := range metrics.Defs {
		got, ok := listed[d.Name]
		switch {
		case !ok:
			t.Errorf("README's metrics table lacks %s (%s)", d.Name, d.Type)
		case got.Type != d.Type || !slices.Equal(got.Labels, d.Labels):
			t.Errorf("README lists %s as %s %v, the code has %s %v", d.Name, got.Type, got.Labels, d.Type, d.Labels)
		}
		delete(listed, d.Name)
	}
	for name := range listed {
		t.Errorf("README lists %s, which no code defines", name)
	}
}

// TestFamiliesAreWellFormed: names are unique, snake_case and prefixed,
// counters end in _total, and every family's help says something.
func TestFamiliesAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range metrics.Defs {
		if seen[d.Name] {
			t.Errorf("%s is defined twice", d.Name)
		}
		seen[d.Name] = true
		if !strings.HasPrefix(d.Name, "dargo_") || strings.ToLower(d.Name) != d.Name {
			t.Errorf("%s: want dargo_snake_case", d.Name)
		}
		if (d.Type == "counter") != strings.HasSuffix(d.Name, "_total") {
			t.Errorf("%s: counters, and only counters, end in _total", d.Name)
		}
		if len(d.Help) < 15 {
			t.Errorf("%s: help %q says too little", d.Name, d.Help)
		}
	}
	// Every family registers cleanly in one registry with the runtime ones.
	metrics.NewRegistry([][]prometheus.Collector{metrics.Web, metrics.Inbound, metrics.Worker},
		metrics.NewStoreCollector(failingStats{}, quiet))
}
