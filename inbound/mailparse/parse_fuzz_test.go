package mailparse

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/parse/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, _ := Parse(raw)
		if m == nil {
			t.Fatal("nil Mail")
		}
		if slices.Contains(m.Problems, panicProblem) {
			t.Fatal("Parse panicked internally")
		}
		for name, s := range map[string]string{"Subject": m.Subject, "Text": m.Text, "VisibleText": m.VisibleText} {
			if !utf8.ValidString(s) {
				t.Errorf("%s is not valid UTF-8: %q", name, s)
			}
		}
		if m.Text != "" && m.VisibleText == "" && !quotesOnly(m) {
			t.Errorf("VisibleText empty for Text %q", m.Text)
		}
		if strings.Contains(m.Text, "\r") {
			t.Errorf("Text has a carriage return")
		}
	})
}
