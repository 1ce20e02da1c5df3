package web

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestInboundDependencies keeps web on the MIME side of inbound: it parses
// mail for display (inbound/mailparse) but neither runs the pipeline (its
// Release comes in as Opts.Held) nor touches the transport.
func TestInboundDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	const inbound = "github.com/dargo-support/dargo/inbound"
	if !slices.Contains(deps, inbound+"/mailparse") {
		t.Errorf("web does not depend on %s/mailparse; is the list right? %v", inbound, deps)
	}
	for _, d := range deps {
		if (d == inbound || strings.HasPrefix(d, inbound+"/")) && d != inbound+"/mailparse" {
			t.Errorf("web depends on %s", d)
		}
	}
}
