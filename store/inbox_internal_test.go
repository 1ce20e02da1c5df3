package store

import (
	"slices"
	"strings"
	"testing"
)

func TestSearchQueries(t *testing.T) {
	tests := []struct {
		search   string
		words    []string
		fts5     string
		pgFn, pg string
	}{
		{"printer", []string{"printer"}, `"printer"*`, "to_tsquery", `'printer':*`},
		{"  Printer  on   fire ", []string{"Printer", "on", "fire"}, `"Printer" "on" "fire"*`, "to_tsquery", `'Printer' & 'on' & 'fire':*`},
		{"tw", []string{"tw"}, `"tw"`, "to_tsquery", `'tw'`},
		{"münchen", []string{"münchen"}, `"münchen"*`, "to_tsquery", `'münchen':*`},
		{`"on fire"`, []string{"on", "fire"}, `"on" "fire"*`, "websearch_to_tsquery", `"on fire"`},
		{`foo"bar`, []string{"foo", "bar"}, `"foo" "bar"*`, "websearch_to_tsquery", `foo"bar`},
		{"AND OR NOT", []string{"AND", "OR", "NOT"}, `"AND" "OR" "NOT"*`, "websearch_to_tsquery", "AND OR NOT"},
		{"-printer", []string{"-printer"}, `"-printer"*`, "websearch_to_tsquery", "-printer"},
		{"NEAR(a b)", []string{"NEAR(a", "b)"}, `"NEAR(a" "b)"`, "to_tsquery", `'NEAR(a' & 'b)'`},
		{`'; DROP`, []string{"DROP"}, `"DROP"*`, "to_tsquery", `'DROP':*`},
		{`x' y\`, []string{"x'", `y\`}, `"x'" "y\"`, "to_tsquery", `'x''' & 'y\\'`},
		{"printer*", []string{"printer*"}, `"printer*"*`, "to_tsquery", `'printer*':*`},
		{"🔥 * ((( !!!", nil, "", "", ""},
		{"", nil, "", "", ""},
		{"a\x00b \xff", []string{"ab"}, `"ab"`, "to_tsquery", `'ab'`},
		{strings.Repeat("w ", 40), slices.Repeat([]string{"w"}, maxSearchWords), strings.TrimSpace(strings.Repeat(`"w" `, maxSearchWords)), "to_tsquery",
			strings.Repeat(`'w' & `, maxSearchWords-1) + `'w'`},
	}
	for _, tt := range tests {
		search := cleanSearch(tt.search)
		words := searchWords(search)
		if !slices.Equal(words, tt.words) {
			t.Errorf("searchWords(%q) = %q, want %q", tt.search, words, tt.words)
			continue
		}
		if len(words) == 0 {
			continue
		}
		if got := ftsQuery(words); got != tt.fts5 {
			t.Errorf("ftsQuery(%q) = %s, want %s", tt.search, got, tt.fts5)
		}
		if fn, arg := pgTSQuery(search, words); fn != tt.pgFn || arg != tt.pg {
			t.Errorf("pgTSQuery(%q) = %s(%s), want %s(%s)", tt.search, fn, arg, tt.pgFn, tt.pg)
		}
	}
}
