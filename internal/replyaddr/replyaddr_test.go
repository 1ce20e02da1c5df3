package replyaddr

import "testing"

func TestRoundTrip(t *testing.T) {
	a := Addr("s3cret", "support", "help.example.com", 42)
	n, ok := Parse("s3cret", "help.example.com", a)
	if !ok || n != 42 {
		t.Fatalf("Parse(%q) = %d, %v; want 42, true", a, n, ok)
	}
	if n, ok := Parse("s3cret", "HELP.example.com", "SUPPORT"+a[len("support"):]); !ok || n != 42 {
		t.Fatalf("case-folded address not accepted: %d %v", n, ok)
	}
}

func TestRejects(t *testing.T) {
	good := Addr("s3cret", "support", "help.example.com", 42)
	for _, addr := range []string{
		Addr("other", "support", "help.example.com", 42),  // wrong secret
		"support+43" + good[len("support+42"):],           // number swapped, mac kept
		Addr("s3cret", "support", "evil.example.com", 42), // wrong domain
		"support+42@help.example.com",                     // no mac
		"support@help.example.com",
		"support+x-abc@help.example.com",
		"support+-1-abc@help.example.com",
		"",
	} {
		if n, ok := Parse("s3cret", "help.example.com", addr); ok {
			t.Errorf("Parse(%q) accepted as ticket %d", addr, n)
		}
	}
}
