package ratelink

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tok, err := Rate("s3cret", 7, 9, "okay", now.Add(TTL))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open("s3cret", KindRate, tok, now)
	if err != nil || got.TicketID != 7 || got.UserID != 9 || got.Rating != "okay" || !got.Expires.Equal(now.Add(TTL)) {
		t.Fatalf("Open = %+v, %v", got, err)
	}
	if _, err := Open("s3cret", KindRate, tok, now.Add(TTL)); !errors.Is(err, ErrExpired) {
		t.Errorf("at expiry: %v, want ErrExpired", err)
	}
	if _, err := Open("other", KindRate, tok, now); !errors.Is(err, ErrForged) {
		t.Errorf("other secret: %v, want ErrForged", err)
	}
	if _, err := Open("s3cret", KindComment, tok, now); !errors.Is(err, ErrForged) {
		t.Errorf("a rating link as a comment token: %v, want ErrForged", err)
	}
	c, _ := Comment("s3cret", 7, 9, now.Add(CommentTTL))
	if _, err := Open("s3cret", KindRate, c, now); !errors.Is(err, ErrForged) {
		t.Errorf("a comment token as a rating link: %v, want ErrForged", err)
	}
	if _, err := Rate("s3cret", 7, 9, "great", now); err == nil {
		t.Error("an unknown rating made a token")
	}
}

// TestEveryByteEdited flips each byte of a token: the nonce, the sealed
// ticket, person, rating and expiry, and the tag; none opens.
func TestEveryByteEdited(t *testing.T) {
	now := time.Now()
	tok, _ := Rate("s3cret", 12, 34, "good", now.Add(time.Hour))
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	for i := range raw {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		if _, err := Open("s3cret", KindRate, base64.RawURLEncoding.EncodeToString(b), now); !errors.Is(err, ErrForged) {
			t.Fatalf("byte %d edited: %v, want ErrForged", i, err)
		}
	}
	for _, bad := range []string{"", "x", tok[:len(tok)-1], tok + "A"} {
		if _, err := Open("s3cret", KindRate, bad, now); !errors.Is(err, ErrForged) {
			t.Errorf("Open(%q): %v, want ErrForged", bad, err)
		}
	}
}

// BenchmarkRateAndOpen is the cost of a resolution mail's three links and
// of checking one click.
func BenchmarkRateAndOpen(b *testing.B) {
	now := time.Now()
	for b.Loop() {
		var tok string
		for _, r := range Ratings {
			tok, _ = Rate("s3cret", 123456, 654321, r, now.Add(TTL))
		}
		if _, err := Open("s3cret", KindRate, tok, now); err != nil {
			b.Fatal(err)
		}
	}
}
