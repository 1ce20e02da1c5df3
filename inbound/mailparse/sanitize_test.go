package mailparse

import (
	"strings"
	"testing"
)

func TestSanitizeHTML(t *testing.T) {
	tests := []struct {
		name, in string
		excludes []string
		contains []string
	}{
		{"script", `<p>hi</p><script>alert(1)</script>`, []string{"<script", "alert"}, []string{"<p>hi</p>"}},
		{"event handlers", `<img src="https://x.example/a.png" onerror="alert(1)"><body onload="x()"><a href="https://x.example" onclick="y()">a</a>`, []string{"onerror", "onload", "onclick"}, []string{`src="https://x.example/a.png"`}},
		{"javascript urls", `<a href="javascript:alert(1)">a</a><a href=" JaVaScRiPt:alert(1)">b</a><img src="javascript:alert(1)">`, []string{"javascript:"}, nil},
		{"iframe", `<iframe src="https://evil.example"></iframe><frame src="x">`, []string{"<iframe", "<frame"}, nil},
		{"form", `<form action="https://evil.example"><input type="password" name="p"><button>go</button></form>`, []string{"<form", "<input", "action="}, nil},
		{"style", `<style>body{}</style><p style="background:url(javascript:x)">s</p>`, []string{"<style", "style="}, []string{"s</p>"}},
		{"cid image kept", `<img src="cid:logo@x.example" alt="logo">`, nil, []string{`src="cid:logo@x.example"`}},
		{"https image kept", `<img src="https://cdn.example/p.png">`, nil, []string{`src="https://cdn.example/p.png"`}},
		{"data uri dropped", `<img src="data:text/html;base64,PHNjcmlwdD4=">`, []string{"data:"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SanitizeHTML(tt.in)
			for _, s := range tt.excludes {
				if strings.Contains(strings.ToLower(got), strings.ToLower(s)) {
					t.Errorf("output contains %q: %s", s, got)
				}
			}
			for _, s := range tt.contains {
				if !strings.Contains(got, s) {
					t.Errorf("output lacks %q: %s", s, got)
				}
			}
		})
	}
}
