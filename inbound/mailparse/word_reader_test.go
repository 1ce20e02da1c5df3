package mailparse

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestEncodedWordsCheap checks that decoding encoded words in other
// charsets does not cost a 32 KiB copy buffer each (io.Copy's default):
// ten words in the Subject, From and To of a header-only mail.
func TestEncodedWordsCheap(t *testing.T) {
	word := "=?windows-1251?B?3vDj5e0gwuDp8Q==?=" // "Юрген Вайс"
	raw := []byte("From: " + word + " <j@example.de>\r\nTo: " + strings.Repeat(word+" <a@example.com>, ", 4) + word + " <b@example.com>\r\n" +
		"Subject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?= " + word + " " + word + "\r\n\r\n")
	var m *Mail
	got := allocated(func() { m, _ = Parse(raw) })
	if m.From.Name != "Юрген Вайс" || m.Subject != "こんにちはЮрген ВайсЮрген Вайс" || len(m.To) != 5 || m.To[4].Name != "Юрген Вайс" {
		t.Fatalf("from %q, subject %q, to %+v", m.From.Name, m.Subject, m.To)
	}
	// Each word's x/text decoder still takes 8 KiB of buffers; io.Copy's
	// buffers alone would be 320 KiB.
	if got > 160<<10 {
		t.Errorf("parsing ten encoded words allocated %d bytes, want under 160 KiB", got)
	}
}

// TestWordReaderCopiesLikeIOCopy checks WriteTo against io.Copy's result
// for a long input and for a reader that fails.
func TestWordReaderCopiesLikeIOCopy(t *testing.T) {
	long := strings.Repeat("0123456789", 1000)
	var b strings.Builder
	n, err := io.Copy(&b, wordReader{strings.NewReader(long)})
	if err != nil || n != int64(len(long)) || b.String() != long {
		t.Fatalf("copied %d bytes, err %v", n, err)
	}
	boom := errors.New("boom")
	b.Reset()
	_, err = io.Copy(&b, wordReader{io.MultiReader(strings.NewReader("abc"), failing{boom})})
	if !errors.Is(err, boom) || b.String() != "abc" {
		t.Fatalf("err %v, copied %q", err, b.String())
	}
}

type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }
