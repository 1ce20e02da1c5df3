package main

import (
	"maps"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestCategoryNames: DARGO_CATEGORY_NAMES names categories that exist,
// and refuses a category that does not and a pair without a name.
func TestCategoryNames(t *testing.T) {
	env := map[string]string{"DARGO_CATEGORIES": "billing=billing@example.com",
		"DARGO_CATEGORY_NAMES": " billing = Billing and invoices ,general=General question"}
	c, err := LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"billing": "Billing and invoices", "general": "General question"}; !maps.Equal(c.CategoryLabels, want) {
		t.Errorf("CategoryLabels = %v, want %v", c.CategoryLabels, want)
	}
	for _, bad := range []string{"sales=Sales", "billing=", "billing"} {
		env["DARGO_CATEGORY_NAMES"] = bad
		if _, err := LoadConfig(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "DARGO_CATEGORY_NAMES") {
			t.Errorf("DARGO_CATEGORY_NAMES=%q: err = %v, want a DARGO_CATEGORY_NAMES error", bad, err)
		}
	}
}

// TestReadmeGoVersion: the Go version the README asks for is go.mod's.
func TestReadmeGoVersion(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod)
	got := regexp.MustCompile(`You need Go (\S+) or newer`).FindSubmatch(readme)
	if want == nil || got == nil {
		t.Fatalf("no go line in go.mod (%q) or no \"You need Go X or newer\" in README.md (%q)", want, got)
	}
	if string(got[1]) != string(want[1]) {
		t.Errorf("README.md asks for Go %s, go.mod for %s", got[1], want[1])
	}
}

// TestReadmeListsEverySetting: the README's Configuration table has a row
// for every setting.
func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings {
		if !strings.Contains(string(readme), "| `"+s.name+"` |") {
			t.Errorf("README.md has no Configuration row for %s", s.name)
		}
	}
}

// DARGO_TAGS_VISIBLE is off unless set, and only true or false.
func TestTagsVisibleSetting(t *testing.T) {
	for v, want := range map[string]bool{"": false, "false": false, "true": true, "1": true} {
		c, err := LoadConfig(func(k string) string { return map[string]string{"DARGO_TAGS_VISIBLE": v}[k] })
		if err != nil || c.TagsVisible != want {
			t.Errorf("DARGO_TAGS_VISIBLE=%q: %v, %v; want %v", v, c, err, want)
		}
	}
	if _, err := LoadConfig(func(k string) string { return map[string]string{"DARGO_TAGS_VISIBLE": "maybe"}[k] }); err == nil ||
		!strings.Contains(err.Error(), "DARGO_TAGS_VISIBLE") {
		t.Errorf("DARGO_TAGS_VISIBLE=maybe: %v", err)
	}
}
