package seal

import (
	"errors"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	link := []byte("https://help.example.com/login/confirm?token=abc123")
	s, err := Seal("secret-one", link)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s, "abc123") {
		t.Fatal("sealed text shows the token")
	}
	got, err := Open("secret-one", s)
	if err != nil || string(got) != string(link) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if s2, _ := Seal("secret-one", link); s2 == s {
		t.Error("two seals of the same link are equal: the nonce is not random")
	}
	tampered := []byte(s)
	tampered[len(tampered)/2] ^= 1
	for name, in := range map[string][2]string{
		"other secret": {"secret-two", s},
		"tampered":     {"secret-one", string(tampered)},
		"truncated":    {"secret-one", s[:8]},
		"not base64":   {"secret-one", "%%%"},
	} {
		if _, err := Open(in[0], in[1]); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: Open = %v, want ErrOpen", name, err)
		}
	}
}
