package mailparse

import "testing"

func TestDecodeBase64(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"clean", "Zm9vYmFy\r\n", "foobar", true},
		{"wrapped odd lines", "Zm9v\r\nYmF\r\ny\r\n", "foobar", true},
		{"garbage skipped", "Zm9v!!Ym*Fy", "foobar", false},
		{"concatenated padding", "Zm8=\r\nYmE=\r\n", "foba", true},
		{"truncated", "Zm9vYmFyY", "foobar", false},
		{"url-safe", "-_-_", "\xfb\xff\xbf", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := decodeBase64([]byte(tt.in))
			if string(got) != tt.want || ok != tt.ok {
				t.Errorf("decodeBase64(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestDecodeQP(t *testing.T) {
	tests := []struct{ in, want string }{
		{"caf=C3=A9\r\n", "café\n"},
		{"soft=\r\nbreak", "softbreak"},
		{"bad =ZZ escape", "bad =ZZ escape"},
		{"trailing   \r\nspace", "trailing\nspace"},
		{"end=", "end"},
		{"lower =c3=a9", "lower é"},
	}
	for _, tt := range tests {
		if got := string(decodeQP([]byte(tt.in))); got != tt.want {
			t.Errorf("decodeQP(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecodeCharset(t *testing.T) {
	tests := []struct{ in, label, want string }{
		{"caf\xe9", "iso-8859-1", "café"},
		{"\x80 5", "windows-1252", "€ 5"},
		{"caf\xe9", "utf-8", "café"},
		{"café", "unknown-8bit", "café"},
		{"caf\xe9", "x-no-such-charset", "café"},
		{"\xa4", "iso-8859-15", "€"},
		{"\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r", "Привет"},
		{"\x1b$B$3$s$K$A$O\x1b(B", "iso-2022-jp", "こんにちは"},
	}
	for _, tt := range tests {
		if got, _ := decodeCharset([]byte(tt.in), tt.label); got != tt.want {
			t.Errorf("decodeCharset(%q, %q) = %q, want %q", tt.in, tt.label, got, tt.want)
		}
	}
}

func TestDecodeWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=?UTF-8?B?w6ljaG8=?= =?UTF-8?Q?_d=C3=A9j=C3=A0?=", "écho déjà"},
		{"Re: =?iso-8859-1?Q?caf=E9?= now", "Re: café now"},
		{"=?x-unknown?Q?raw?= stays", "=?x-unknown?Q?raw?= stays"},
		{"=?utf-8?Q?broken", "=?utf-8?Q?broken"},
		{"=?utf-8?B?!!!?=", "=?utf-8?B?!!!?="},
	}
	for _, tt := range tests {
		if got := decodeWords(tt.in); got != tt.want {
			t.Errorf("decodeWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"<a@x> <b@x>", []string{"a@x", "b@x"}},
		{"<a@x>,<b@x>\r\n <c@x>", []string{"a@x", "b@x", "c@x"}},
		{"a@x b@x", []string{"a@x", "b@x"}},
		{"a@x (comment) <b@x>", []string{"a@x", "b@x"}},
		{"< a@x >", []string{"a@x"}},
		{"<a@x", []string{"a@x"}},
	}
	for _, tt := range tests {
		got := parseIDs(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("parseIDs(%q) = %q, want %q", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("parseIDs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		}
	}
}

func TestNormalizeNewlines(t *testing.T) {
	tests := map[string]string{
		"a\r\nb\rc\nd": "a\nb\nc\nd",
		"\r\r\n\n":     "\n\n\n",
		"no breaks":    "no breaks",
		"end\r":        "end\n",
	}
	for in, want := range tests {
		if got := normalizeNewlines(in); got != want {
			t.Errorf("normalizeNewlines(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewlinesToLFOwned(t *testing.T) {
	for _, in := range []string{"", "a", "a\r\nb\rc\nd\r\n", "\r\r\n\r", "no breaks", "x\r\n\r\n"} {
		if got, want := newlinesToLFOwned([]byte(in)), newlinesToLF([]byte(in)); got != want {
			t.Errorf("newlinesToLFOwned(%q) = %q, want %q", in, got, want)
		}
	}
}
