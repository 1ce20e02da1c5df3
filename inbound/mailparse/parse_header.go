package mailparse

import (
	"bufio"
	"bytes"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// readHeader splits raw into a header and the body that follows it. Our
// pre-pass (cleanHeader) drops what textproto.ReadHeader would reject; the
// cleaned block is then parsed by go-message.
func readHeader(raw []byte, problems *[]string) (message.Header, []byte) {
	clean, body := cleanHeader(raw, problems)
	br := bufio.NewReaderSize(bytes.NewReader(clean), min(len(clean)+16, 4096))
	h, err := textproto.ReadHeader(br)
	if err != nil {
		addProblem(problems, "header: unreadable field, rest of header dropped")
	}
	return message.Header{Header: h}, body
}

// cleanHeader is the tolerance pre-pass before textproto.ReadHeader: junk
// lines between fields are skipped (and reported), a junk line not followed
// by more fields is taken as the start of a body whose blank separator line
// is missing, continuation lines without a field are dropped, and 8-bit
// bytes that are not UTF-8 are read as windows-1252. It returns the kept
// fields with CRLF line ends, and the body.
func cleanHeader(raw []byte, problems *[]string) (clean, body []byte) {
	rest := raw
	for len(rest) > 0 {
		line, next := cutLine(rest)
		if len(bytes.TrimRight(line, "\r")) == 0 {
			return clean, next
		}
		if line[0] == ' ' || line[0] == '\t' {
			rest = next // continuation without a field to continue
			continue
		}
		if !isField(line) {
			if !moreFieldsFollow(next) {
				addProblem(problems, "header: missing blank line before body")
				return clean, rest
			}
			addProblem(problems, "header: skipped junk line")
			rest = next
			continue
		}
		start := len(clean)
		clean = appendLine(clean, line)
		for len(next) > 0 && (next[0] == ' ' || next[0] == '\t') {
			line, next = cutLine(next)
			clean = appendLine(clean, line)
		}
		if !utf8.Valid(clean[start:]) {
			clean = append(clean[:start], decodeLatin(clean[start:])...)
		}
		rest = next
	}
	return clean, nil
}

func appendLine(dst, line []byte) []byte {
	dst = append(dst, bytes.TrimRight(line, "\r")...)
	return append(dst, '\r', '\n')
}

// cutLine returns the line at the start of b (without its LF) and the rest.
func cutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

// isField reports whether line starts with a field name and a colon, as
// textproto.ReadHeader requires.
func isField(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 || i > 76 {
		return false
	}
	k := bytes.TrimRight(line[:i], " \t")
	if len(k) == 0 {
		return false
	}
	for _, c := range k {
		if c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// moreFieldsFollow reports whether one of the next three lines is a header field.
func moreFieldsFollow(b []byte) bool {
	for range 3 {
		if len(b) == 0 {
			return false
		}
		var line []byte
		line, b = cutLine(b)
		if len(bytes.TrimRight(line, "\r")) == 0 {
			return false
		}
		if isField(line) {
			return true
		}
	}
	return false
}

// headerString makes a header value from a part header (which skips the
// pre-pass) valid UTF-8; 8-bit bytes that are not UTF-8 are read as
// windows-1252.
func headerString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return decodeLatin([]byte(s))
}

// decodeWords decodes RFC 2047 encoded words in s. A word that cannot be
// decoded (malformed, unknown charset) is kept as it is.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prevWord := false
	for len(s) > 0 {
		i := strings.Index(s, "=?")
		if i < 0 {
			b.WriteString(s)
			break
		}
		gap := s[:i]
		end := wordEnd(s[i:])
		if end < 0 {
			b.WriteString(s)
			break
		}
		dec, err := wordDecoder.Decode(s[i : i+end])
		if err != nil {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			prevWord = false
			continue
		}
		if !prevWord || strings.TrimSpace(gap) != "" {
			b.WriteString(gap)
		}
		b.WriteString(dec)
		s = s[i+end:]
		prevWord = true
	}
	return b.String()
}

// wordEnd returns the length of the encoded word at the start of s, or -1.
func wordEnd(s string) int {
	// =?charset?enc?text?=
	q := 0
	for i := 2; i < len(s) && i < 200; i++ {
		switch s[i] {
		case '?':
			q++
			if q == 3 && i+1 < len(s) && s[i+1] == '=' {
				return i + 2
			}
			if q >= 3 {
				return -1
			}
		case ' ', '\t', '\r', '\n':
			return -1
		}
	}
	return -1
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// maxHeaderText bounds how much of one unstructured field is decoded.
const maxHeaderText = 16 << 10

// headerText decodes an unstructured header field and collapses whitespace.
func headerText(s string) string {
	if len(s) > maxHeaderText {
		s = strings.ToValidUTF8(s[:maxHeaderText], "")
	}
	return collapseSpace(decodeWords(s))
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

var looseEmail = regexp.MustCompile(`[A-Za-z0-9.!#$%&'*+/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?`)

// parseAddressList parses an address header, falling back to picking out
// anything that looks like local@domain when the list is malformed.
func parseAddressList(s string, problems *[]string) []Address {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if list, err := parseAddresses(s); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: collapseSpace(decodeWords(a.Name)), Email: strings.ToLower(a.Address)})
		}
		return out
	}
	addProblem(problems, "header: malformed address list")
	var out []Address
	for _, part := range splitAddresses(s) {
		loc := looseEmail.FindStringIndex(part)
		if loc == nil {
			continue
		}
		name := part[:loc[0]] + part[loc[1]:]
		name = strings.Trim(strings.TrimSpace(name), `"'<>() `)
		out = append(out, Address{Name: headerText(name), Email: strings.ToLower(part[loc[0]:loc[1]])})
	}
	return out
}

// splitAddresses splits on commas and semicolons outside quotes and brackets.
func splitAddresses(s string) []string {
	var parts []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '<' || c == '(':
			depth++
		case (c == '>' || c == ')') && depth > 0:
			depth--
		case (c == ',' || c == ';') && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// parseIDs reads a list of Message-IDs tolerantly: bracketed or not,
// separated by spaces, commas or newlines; comments and words without '@'
// outside brackets are dropped.
func parseIDs(s string) []string {
	var ids []string
	for len(s) > 0 {
		switch c := s[0]; {
		case c == '<':
			j := strings.IndexByte(s, '>')
			if j < 0 {
				return appendID(ids, s[1:])
			}
			ids = appendID(ids, s[1:j])
			s = s[j+1:]
		case c == '(':
			j := strings.IndexByte(s, ')')
			if j < 0 {
				return ids
			}
			s = s[j+1:]
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ';':
			s = s[1:]
		default:
			j := strings.IndexAny(s, " \t\r\n,;<(")
			if j < 0 {
				j = len(s)
			}
			if tok := s[:j]; strings.Contains(tok, "@") {
				ids = appendID(ids, tok)
			}
			s = s[j:]
		}
	}
	return ids
}

func appendID(ids []string, id string) []string {
	id = strings.Join(strings.Fields(id), "")
	id = strings.Trim(id, "<>")
	if id == "" || (len(ids) > 0 && ids[len(ids)-1] == id) {
		return ids
	}
	return append(ids, id)
}

func parseMessageID(s string) string {
	if ids := parseIDs(s); len(ids) > 0 {
		return ids[0]
	}
	return strings.Trim(strings.Join(strings.Fields(s), ""), "<>")
}

var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon Jan 2 15:04:05 2006",
	time.RFC3339,
}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(dateLayouts[0], s); err == nil {
		return t, true // the common form, without net/mail's failed attempts
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t, true
	}
	if i := strings.IndexByte(s, '('); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	s = collapseSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// keptFields are the top-level fields copied into Mail.Header.
var keptFields = []string{
	"Auto-Submitted", "X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress",
	"Precedence", "List-Id", "List-Unsubscribe", "List-Post", "X-Loop",
	"X-Mailer", "Content-Type", "X-Failed-Recipients",
	"Authentication-Results", "DKIM-Signature", "Content-Language",
	// more signs of automatic mail, read by autoReason
	"X-Autogenerated", "X-Auto-Generated", "X-Autoreply-From", "X-Mail-Autoreply",
	"X-Fc-Machinegenerated", "X-Ms-Exchange-Generated-Message-Source",
	"X-Ms-Exchange-Inbox-Rules-Loop", "Delivered-To", "X-Mlserver", "X-Ml-Name",
}

func (m *Mail) readTopHeader(h message.Header) {
	for fs := h.Fields(); fs.Next(); {
		value := fs.Value()
		switch fs.Key() {
		case "Message-Id":
			m.MessageID = parseMessageID(value)
		case "In-Reply-To":
			m.InReplyTo = parseIDs(value)
		case "References":
			m.References = parseIDs(value)
		case "Subject":
			m.Subject = headerText(value)
		case "From":
			m.FromFields++
			if m.FromFields == 1 {
				m.From, m.FromMailboxes, m.FromAmbiguous = parseFrom(value)
				if m.From.Email == "" {
					m.FromText = strings.TrimSpace(value)
				}
				if m.FromAmbiguous != "" {
					addProblem(&m.Problems, "header: ambiguous From")
				}
			}
		case "Reply-To":
			m.ReplyTo = append(m.ReplyTo, parseAddressList(value, &m.Problems)...)
		case "To":
			m.To = append(m.To, parseAddressList(value, &m.Problems)...)
		case "Cc":
			m.Cc = append(m.Cc, parseAddressList(value, &m.Problems)...)
		case "Return-Path":
			m.HasReturnPath = true
			v := strings.Trim(strings.TrimSpace(value), "<>")
			m.ReturnPath = strings.ToLower(strings.TrimSpace(v))
		case "Date":
			t, ok := parseDate(value)
			if !ok {
				addProblem(&m.Problems, "header: unparseable date")
			}
			m.Date = t
		}
	}
	for _, k := range keptFields {
		for fs := h.FieldsByKey(k); fs.Next(); {
			if m.Header == nil {
				m.Header = make(Header)
			}
			m.Header[k] = append(m.Header[k], fs.Value())
		}
	}
}
