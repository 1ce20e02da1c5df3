package mailparse

import (
	"unsafe"

	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
)

// decodeTransfer undoes a Content-Transfer-Encoding leniently. It is only the
// fallback for parts go-message's decoders (message.New) stopped on: broken
// input is decoded as far as it goes; ok is false when something had to be
// skipped.
func decodeTransfer(enc string, b []byte) (out []byte, ok bool) {
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "base64":
		return decodeBase64(b)
	case "quoted-printable":
		return decodeQP(b), true
	default:
		return b, true
	}
}

var b64 = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	t['-'], t['_'] = 62, 63 // URL-safe alphabet seen in the wild
	return t
}()

// decodeBase64 skips anything outside the alphabet and restarts after padding,
// so concatenated or damaged blocks still yield what can be read. Clean lines
// go through encoding/base64; only damaged ones take the byte-wise path.
func decodeBase64(src []byte) ([]byte, bool) {
	d := b64decoder{dst: make([]byte, 0, len(src)*3/4+3), ok: true}
	for len(src) > 0 {
		line, rest := cutLine(src)
		src = rest
		line = bytes.TrimRight(line, " \t\r")
		if d.n == 0 && len(line) > 0 && len(line)%4 == 0 {
			k := len(d.dst)
			d.dst = append(d.dst, make([]byte, len(line)/4*3)...)
			if m, err := base64.StdEncoding.Decode(d.dst[k:], line); err == nil {
				d.dst = d.dst[:k+m]
				continue
			}
			d.dst = d.dst[:k]
		}
		for _, c := range line {
			d.byte(c)
		}
	}
	d.flush()
	return d.dst, d.ok
}

type b64decoder struct {
	dst []byte
	acc uint32
	n   int // sextets in acc
	ok  bool
}

func (d *b64decoder) byte(c byte) {
	v := b64[c]
	if v == 0xff {
		switch c {
		case '=':
			d.flush()
		case ' ', '\t', '\r', '\n':
		default:
			d.ok = false
		}
		return
	}
	d.acc = d.acc<<6 | uint32(v)
	d.n++
	if d.n == 4 {
		d.dst = append(d.dst, byte(d.acc>>16), byte(d.acc>>8), byte(d.acc))
		d.acc, d.n = 0, 0
	}
}

func (d *b64decoder) flush() {
	switch d.n {
	case 1:
		d.ok = false
	case 2:
		d.dst = append(d.dst, byte(d.acc>>4))
	case 3:
		d.dst = append(d.dst, byte(d.acc>>10), byte(d.acc>>2))
	}
	d.acc, d.n = 0, 0
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeQP decodes quoted-printable leniently: a bad escape is kept literally.
func decodeQP(src []byte) []byte {
	dst := make([]byte, 0, len(src))
	for len(src) > 0 {
		line, rest := cutLine(src)
		hasNL := len(src) > len(line)
		line = bytes.TrimRight(line, " \t\r")
		soft := false
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c != '=' {
				dst = append(dst, c)
				continue
			}
			if i == len(line)-1 {
				soft = true
				break
			}
			if i+2 < len(line) {
				hi, ok1 := unhex(line[i+1])
				lo, ok2 := unhex(line[i+2])
				if ok1 && ok2 {
					dst = append(dst, hi<<4|lo)
					i += 2
					continue
				}
			}
			dst = append(dst, c)
		}
		if hasNL && !soft {
			dst = append(dst, '\n')
		}
		src = rest
	}
	return dst
}

// ownCharset reports whether label is one we decode ourselves instead of
// go-message: UTF-8, ASCII and Latin-1 labels are wrong often enough that
// valid UTF-8 wins over the label and anything else is read as windows-1252.
func ownCharset(label string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`)) {
	case "", "us-ascii", "ascii", "utf-8", "utf8", "unknown-8bit", "x-unknown", "unknown", "8bit", "default", "iso-8859-1", "latin1", "windows-1252", "cp1252":
		return true
	}
	return false
}

// decodeCharset converts b from the given charset label to valid UTF-8. It is
// used for our own labels (ownCharset) and as the fallback when go-message
// does not know a label. Unknown or wrong labels fall back to UTF-8 when b is
// valid UTF-8, else windows-1252.
func decodeCharset(b []byte, label string) (string, string) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if ownCharset(label) {
		if utf8.Valid(b) {
			return string(b), ""
		}
		if label == "utf-8" || label == "utf8" {
			if hasUTF8Runes(b) {
				return strings.ToValidUTF8(string(b), "\uFFFD"), "charset: invalid utf-8 replaced"
			}
			return decodeLatin(b), "charset: utf-8 label on non-utf-8 text, read as windows-1252"
		}
		return decodeLatin(b), ""
	}
	r, err := charset.Reader(label, bytes.NewReader(b))
	if err == nil {
		out, err := io.ReadAll(r)
		if err == nil {
			return strings.ToValidUTF8(string(out), "\uFFFD"), ""
		}
	}
	problem := fmt.Sprintf("charset: unknown %q", label)
	if utf8.Valid(b) {
		return string(b), problem
	}
	return decodeLatin(b), problem
}

// hasUTF8Runes reports whether b holds at least one valid multi-byte sequence.
func hasUTF8Runes(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r != utf8.RuneError && size > 1 {
			return true
		}
		b = b[size:]
	}
	return false
}

// decodeLatin reads b as windows-1252, which is what ISO-8859-1 labels mean in
// practice. It maps byte by byte with x/text's table into one right-sized
// builder.
func decodeLatin(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] < utf8.RuneSelf {
			i++
		}
		sb.Write(b[:i])
		if i < len(b) {
			sb.WriteRune(charmap.Windows1252.DecodeByte(b[i]))
			i++
		}
		b = b[i:]
	}
	return sb.String()
}

// charsetReader is the mime.WordDecoder hook: known charsets only, so that
// words in unknown charsets stay as raw text.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "latin1", "windows-1252", "cp1252":
		return wordReader{charmap.Windows1252.NewDecoder().Reader(input)}, nil
	case "utf8":
		return input, nil
	}
	r, err := charset.Reader(label, input)
	if err != nil {
		return nil, err
	}
	return wordReader{r}, nil
}

// normalizeNewlines turns CRLF and lone CR into LF.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return newlinesToLF([]byte(s))
}

// newlinesToLF returns b as a string with CRLF and lone CR turned into LF,
// in one pass into one buffer: a big text part is not copied twice.
func newlinesToLF(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			sb.Write(b)
			return sb.String()
		}
		sb.Write(b[:i])
		sb.WriteByte('\n')
		b = b[i+1:]
		if len(b) > 0 && b[0] == '\n' {
			b = b[1:]
		}
	}
}

// newlinesToLFOwned is newlinesToLF for a buffer the caller owns and never
// touches again: the text is made in place and returned without a copy, so
// a big nested text part costs its decoded bytes once, not twice.
func newlinesToLFOwned(b []byte) string {
	w, r := 0, 0
	for {
		i := bytes.IndexByte(b[r:], '\r')
		if i < 0 {
			w += copy(b[w:], b[r:])
			break
		}
		w += copy(b[w:], b[r:r+i])
		b[w] = '\n'
		w++
		r += i + 1
		if r < len(b) && b[r] == '\n' {
			r++
		}
	}
	if w == 0 {
		return ""
	}
	return unsafe.String(&b[0], w) // #nosec G103 -- b is the caller's alone and is never written again
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676).
func unflow(s string, delsp bool) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	b.Grow(len(s))
	joining := false
	prevDepth := 0
	for _, line := range lines {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		body := line[depth:]
		body = strings.TrimPrefix(body, " ") // space-stuffing
		if joining && depth != prevDepth {
			b.WriteByte('\n')
			joining = false
		}
		if !joining {
			if depth > 0 {
				b.WriteString(strings.Repeat(">", depth))
				b.WriteByte(' ')
			}
		}
		flowed := strings.HasSuffix(body, " ") && body != "-- "
		if flowed && delsp {
			body = body[:len(body)-1]
		}
		b.WriteString(body)
		if !flowed {
			b.WriteByte('\n')
		}
		joining = flowed
		prevDepth = depth
	}
	return strings.TrimSuffix(b.String(), "\n")
}
