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

func TestStaffRoundTrip(t *testing.T) {
	a := StaffAddr("s3cret", "support", "help.example.com", 42, 7)
	n, id, ok := ParseStaff("s3cret", "help.example.com", a)
	if !ok || n != 42 || id != 7 {
		t.Fatalf("ParseStaff(%q) = %d, %d, %v; want 42, 7, true", a, n, id, ok)
	}
	if _, ok := Parse("s3cret", "help.example.com", a); ok {
		t.Errorf("a staff address %q passed for a customer's reply address", a)
	}
	if n, id, ok := ParseStaff("s3cret", "help.example.com", StaffAddr("s3cret", "support", "help.example.com", 0, 7)); !ok || n != 0 || id != 7 {
		t.Errorf("a digest's address: %d, %d, %v; want 0, 7, true", n, id, ok)
	}
	customer := Addr("s3cret", "support", "help.example.com", 42)
	if _, _, ok := ParseStaff("s3cret", "help.example.com", customer); ok {
		t.Errorf("a customer's reply address %q passed for a staff address", customer)
	}
	for _, bad := range []string{
		StaffAddr("other", "support", "help.example.com", 42, 7),
		"support+42-s8" + a[len("support+42-s7"):], // another staff member, mac kept
		"support+43-s7" + a[len("support+42-s7"):], // another ticket, mac kept
		StaffAddr("s3cret", "support", "evil.example.com", 42, 7),
		"support+42-s7@help.example.com",
		"support+42-x7-abcdefabcdef@help.example.com",
	} {
		if n, id, ok := ParseStaff("s3cret", "help.example.com", bad); ok {
			t.Errorf("ParseStaff(%q) accepted as ticket %d staff %d", bad, n, id)
		}
	}
}

func TestForwardRoundTrip(t *testing.T) {
	a := ForwardAddr("s3cret", "support", "help.example.com", 42, 7)
	if n, id, ok := ParseForward("s3cret", "help.example.com", a); !ok || n != 42 || id != 7 {
		t.Fatalf("ParseForward(%q) = %d, %d, %v", a, n, id, ok)
	}
	for _, bad := range []string{
		ForwardAddr("other", "support", "help.example.com", 42, 7),
		"support+42-f8" + a[len("support+42-f7"):], // another forward, mac kept
		"support+43-f7" + a[len("support+42-f7"):], // another ticket, mac kept
		Addr("s3cret", "support", "help.example.com", 42),
		StaffAddr("s3cret", "support", "help.example.com", 42, 7),
	} {
		if n, id, ok := ParseForward("s3cret", "help.example.com", bad); ok {
			t.Errorf("ParseForward(%q) accepted as #%d forward %d", bad, n, id)
		}
	}
	if _, ok := Parse("s3cret", "help.example.com", a); ok {
		t.Error("a forward address passes as the ticket's reply address")
	}
	if _, _, ok := ParseStaff("s3cret", "help.example.com", a); ok {
		t.Error("a forward address passes as a staff address")
	}
}
