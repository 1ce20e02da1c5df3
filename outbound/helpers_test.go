package outbound

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
)

// part is one leaf or multipart entity of a parsed mail.
type part struct {
	path     []int
	typ      string
	filename string
	header   message.Header
	body     []byte // decoded; nil for multiparts
}

// parsed is a composed mail read back with go-message.
type parsed struct {
	header mail.Header
	parts  []part // depth first, the root first
}

func parse(t testing.TB, raw []byte) parsed {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	p := parsed{header: mail.Header{Header: e.Header}}
	err = e.Walk(func(path []int, e *message.Entity, err error) error {
		if err != nil {
			return err
		}
		typ, _, _ := e.Header.ContentType()
		pt := part{path: append([]int(nil), path...), typ: typ, header: e.Header}
		if !strings.HasPrefix(typ, "multipart/") {
			if pt.body, err = io.ReadAll(e.Body); err != nil {
				return err
			}
			ah := mail.AttachmentHeader{Header: e.Header}
			pt.filename, _ = ah.Filename()
		}
		p.parts = append(p.parts, pt)
		return nil
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	return p
}

// types lists the content types of the parts, depth first.
func (p parsed) types() []string {
	var out []string
	for _, pt := range p.parts {
		out = append(out, pt.typ)
	}
	return out
}

// find returns the first leaf of type typ.
func (p parsed) find(t testing.TB, typ string) part {
	t.Helper()
	for _, pt := range p.parts {
		if pt.typ == typ {
			return pt
		}
	}
	t.Fatalf("no %s part in %v", typ, p.types())
	return part{}
}

// headerKeys lists every header field name of raw's top-level header and of
// each part, lower-cased, to catch injected fields.
func headerKeys(p parsed) map[string]int {
	keys := map[string]int{}
	for _, pt := range p.parts {
		f := pt.header.Fields()
		for f.Next() {
			keys[strings.ToLower(f.Key())]++
		}
	}
	return keys
}

// checkLines fails unless every line of raw ends in CRLF and is at most 998
// octets long (RFC 5322 2.1.1).
func checkLines(t testing.TB, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Errorf("mail does not end in CRLF")
	}
	for i, l := range bytes.SplitAfter(raw, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		if !bytes.HasSuffix(l, []byte("\r\n")) {
			t.Fatalf("line %d has no CRLF: %q", i+1, l)
		}
		if bytes.IndexByte(l[:len(l)-2], '\r') >= 0 {
			t.Fatalf("line %d has a bare CR: %q", i+1, l)
		}
		if n := len(l) - 2; n > 998 {
			t.Fatalf("line %d is %d octets long", i+1, n)
		}
	}
}

// testMail is a staff reply with everything a mail can carry.
func testMail() *Mail {
	return &Mail{
		From:       Address{Name: "Acme Support", Email: "support@acme.test"},
		To:         Address{Name: "Zoë Müller, \"Z\"", Email: "zoe@example.org"},
		ReplyTo:    "support+42-0123456789ab@acme.test",
		Subject:    "Drucker kaputt – schon wieder",
		Ticket:     42,
		MessageID:  "abc.123@acme.test",
		InReplyTo:  "cust-2@example.org",
		References: []string{"cust-1@example.org", "0100018f@email.amazonses.com", "cust-2@example.org"},
		Text:       "Hello Zoë,\n\nplease try again.\n",
		HTML:       "<p>Hello Zoë,</p><p>please try again.</p>",
		Date:       time.Date(2026, 11, 28, 10, 30, 0, 0, time.UTC),
	}
}
