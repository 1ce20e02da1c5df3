package textsafe

import "testing"

func TestClean(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"right-to-left override":     {"evil\u202egpj.html", "evilgpj.html"},
		"every bidi control":         {"a\u202ab\u202bc\u202cd\u202de\u202ef\u2066g\u2067h\u2068i\u2069j\u200ek\u200fl\u061cm", "abcdefghijklm"},
		"zero-width and soft hyphen": {"pay\u200bpal\u00ad\u2060\ufeff.com", "paypal.com"},
		"joiners stay for emoji":     {"👩\u200d💻 and می\u200cخواهم", "👩\u200d💻 and می\u200cخواهم"},
		"plain text unchanged":       {"Re: [#42] Export für Dezember", "Re: [#42] Export für Dezember"},
		"hebrew without controls":    {"שלום", "שלום"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
