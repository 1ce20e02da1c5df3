package i18n

import "testing"

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"de", "de"}, {"de-CH", "de"}, {"DE-at", "de"}, {"fr-CA", "fr"}, {"es-419", "es"},
		{"en-GB", "en"}, {" es ", "es"}, {"it", ""}, {"", ""}, {"x-klingon", ""}, {"%%", ""},
	} {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFromContentLanguage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"de-DE", "de"}, {"fr, en", "fr"}, {"it, de", ""}, {"", ""},
	} {
		if got := FromContentLanguage(tc.in); got != tc.want {
			t.Errorf("FromContentLanguage(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"de-DE,de;q=0.9,en;q=0.8", "de"}, {"fr-CH, fr;q=0.9", "fr"}, {"es-MX", "es"},
		{"it-IT, de;q=0.5", "de"}, {"ja", "en"}, {"", "en"}, {"garbage;;;", "en"}, {"en-US", "en"},
	} {
		if got := Match(tc.in); got != tc.want {
			t.Errorf("Match(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCatalog(t *testing.T) {
	msgs := map[string]Text{"hi": {En: "Hi %[1]s,", De: "Hallo %[1]s,", Fr: "Bonjour %[1]s,", Es: "Hola %[1]s,"}, "half": {En: "x"}}
	c := NewCatalog(msgs)
	if got := c.T("fr", "hi", "Anna"); got != "Bonjour Anna," {
		t.Errorf("fr = %q", got)
	}
	if got := c.T("it", "hi", "Anna"); got != "Hi Anna," {
		t.Errorf("unsupported = %q, want English", got)
	}
	if got := c.T("de", "half"); got != "x" {
		t.Errorf("missing German = %q, want the English", got)
	}
	if got := Missing(msgs); len(got) != 3 || got[0] != "half (de)" {
		t.Errorf("Missing = %v", got)
	}
}
