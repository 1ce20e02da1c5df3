package outbound

import (
	"github.com/dargo-support/dargo/internal/mailtag"

	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
)

// Compose renders m as RFC 5322 MIME: multipart/alternative text + HTML,
// multipart/mixed when there are attachments. Bodies are quoted-printable
// and attachments base64 (76-octet lines), headers are folded, so no line
// exceeds 998 octets; user-supplied subjects, names and filenames are
// reduced to one clean line first. It fails on a missing or malformed
// From, To, Reply-To or Message-ID.
func Compose(m *Mail) ([]byte, error) {
	h, err := header(m)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(composeSize(m))
	if len(m.Attachments) == 0 {
		err = writeBody(&buf, h, m)
	} else {
		err = writeMixed(&buf, h, m)
	}
	if err != nil {
		return nil, fmt.Errorf("outbound: compose: %w", err)
	}
	return buf.Bytes(), nil
}

// headerOrder is the order the top-level fields are written in.
var headerOrder = []string{"From", "To", "Reply-To", "Subject", "Date", "Message-Id",
	"In-Reply-To", "References", "Auto-Submitted", "X-Auto-Response-Suppress", mailtag.Header}

// header builds the top-level header fields of m.
func header(m *Mail) (mail.Header, error) {
	var h, out mail.Header
	from, err := checkAddr("From", m.From.Email)
	if err != nil {
		return out, err
	}
	to, err := checkAddr("To", m.To.Email)
	if err != nil {
		return out, err
	}
	id := cleanID(m.MessageID)
	if id == "" {
		return out, fmt.Errorf("outbound: invalid Message-ID %q", m.MessageID)
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	h.SetAddressList("From", []*mail.Address{{Name: cleanHeaderText(m.From.Name, maxName), Address: from}})
	h.SetAddressList("To", []*mail.Address{{Name: cleanHeaderText(m.To.Name, maxName), Address: to}})
	if m.ReplyTo != "" {
		rt, err := checkAddr("Reply-To", m.ReplyTo)
		if err != nil {
			return out, err
		}
		h.SetAddressList("Reply-To", []*mail.Address{{Address: rt}})
	}
	h.SetSubject(tagSubject(cleanHeaderText(m.Subject, maxSubject), m.Ticket))
	h.SetDate(date.UTC())
	h.SetMessageID(id)
	if irt := cleanID(m.InReplyTo); irt != "" {
		h.SetMsgIDList("In-Reply-To", []string{irt})
	}
	h.SetMsgIDList("References", references(m.References, m.InReplyTo))
	if m.Auto {
		h.Set("Auto-Submitted", "auto-generated")
	}
	h.Set("X-Auto-Response-Suppress", "All")
	if m.Tag != "" {
		h.Set(mailtag.Header, cleanHeaderText(m.Tag, 100))
	}
	// A field added goes on top: add them backwards to read in order.
	for _, k := range slices.Backward(headerOrder) {
		if h.Has(k) {
			out.Add(k, h.Get(k))
		}
	}
	return out, nil
}

// tagSubject puts "[#N] " in front of subject (after any "Re: "), unless
// the tag is in it already.
func tagSubject(subject string, ticket int64) string {
	if ticket <= 0 {
		return subject
	}
	tag := "[#" + strconv.FormatInt(ticket, 10) + "]"
	if strings.Contains(subject, tag) {
		return subject
	}
	if len(subject) >= 4 && strings.EqualFold(subject[:4], "re: ") {
		return subject[:4] + tag + " " + subject[4:]
	}
	return strings.TrimSpace(tag + " " + subject)
}
