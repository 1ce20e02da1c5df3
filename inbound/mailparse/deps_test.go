package mailparse

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPureDependencies keeps mailparse pure MIME work: no database, no AWS,
// no metrics. Whatever needs those belongs to the pipeline (package inbound)
// or the transport (inbound/transport).
func TestPureDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list -deps listed nothing")
	}
	const mod = "github.com/dargo-support/dargo/"
	for _, d := range deps {
		switch {
		case d == mod+"store", strings.HasPrefix(d, mod+"store/"),
			d == mod+"internal/metrics",
			d == mod+"inbound", strings.HasPrefix(d, mod+"inbound/transport"),
			strings.Contains(d, "aws"):
			t.Errorf("mailparse depends on %s", d)
		}
	}
}
