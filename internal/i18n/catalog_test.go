package i18n

import (
	"strings"
	"testing"
)

// TestNumbersNotGrouped: ticket numbers print as digits in every language
// (x/text would write 12,345 / 12.345 / 12 345).
func TestNumbersNotGrouped(t *testing.T) {
	c := NewCatalog(map[string]Text{"n": {En: "#%[1]d %[2]d", De: "#%[1]d %[2]d", Fr: "n°%[1]d %[2]d", Es: "n.º %[1]d %[2]d"}})
	for _, l := range Supported {
		got := c.T(l, "n", int64(12345), 1234567)
		if !strings.Contains(got, "12345 1234567") {
			t.Errorf("%s: %q, want the numbers ungrouped", l, got)
		}
	}
}
