package zones

import (
	"errors"
	"testing"
	"time"
)

func TestNamesLoadAndGroup(t *testing.T) {
	names := Names()
	if len(names) < 300 || names[0] != "UTC" {
		t.Fatalf("%d names starting %q, want zone.tab's after UTC", len(names), names[0])
	}
	for _, n := range names {
		if _, err := Load(n); err != nil {
			t.Errorf("Load(%q): %v", n, err)
		}
	}
	winter := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	groups := Groups(winter, "")
	if groups[0].Region != "UTC" || groups[len(groups)-1].Region != "Pacific" {
		t.Errorf("regions run %q … %q", groups[0].Region, groups[len(groups)-1].Region)
	}
	seen := map[string]bool{}
	for _, g := range groups {
		if seen[g.Region] {
			t.Errorf("region %s twice", g.Region)
		}
		seen[g.Region] = true
	}
	for name, want := range map[string]string{"Europe/Berlin": "Europe/Berlin (UTC+01:00)", "America/St_Johns": "America/St_Johns (UTC-03:30)",
		"Asia/Kathmandu": "Asia/Kathmandu (UTC+05:45)", "UTC": "UTC (UTC+00:00)"} {
		if got := Label(name, winter); got != want {
			t.Errorf("Label(%q) = %q, want %q", name, got, want)
		}
	}
	if got := Label("Europe/Berlin", winter.AddDate(0, 6, 0)); got != "Europe/Berlin (UTC+02:00)" {
		t.Errorf("in summer, %q", got)
	}
	if g := Groups(winter, "US/Eastern"); g[len(g)-1].Region != "Other" || g[len(g)-1].Zones[0].Name != "US/Eastern" {
		t.Errorf("a saved alias is not offered under Other: %+v", g[len(g)-1])
	}
	for _, bad := range []string{"", "Local", "Mars/Base", "../etc/passwd"} {
		if _, err := Load(bad); !errors.Is(err, ErrUnknown) {
			t.Errorf("Load(%q) = %v, want ErrUnknown", bad, err)
		}
	}
}

func BenchmarkGroups(b *testing.B) {
	now := time.Now()
	for b.Loop() {
		Groups(now, "")
	}
}
