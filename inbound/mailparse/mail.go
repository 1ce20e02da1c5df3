package mailparse

import (
	"strings"
	"time"
)

// Address is one mailbox from a header, with its email lower-cased.
type Address struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// Mail is what Parse makes of one raw message.
type Mail struct {
	MessageID  string   // without angle brackets; empty when the mail has none
	InReplyTo  []string // Message-IDs, without angle brackets
	References []string // Message-IDs, without angle brackets, oldest first
	Subject    string   // decoded (RFC 2047), whitespace collapsed
	From       Address  // first From mailbox; Email empty when unparseable
	// FromFields counts the From header fields, FromMailboxes the mailboxes
	// the first one names; FromAmbiguous says why From is not exactly one
	// well-formed mailbox ("" when it is). See parseFrom.
	FromFields    int
	FromMailboxes int
	FromAmbiguous string
	// FromText is the first From field as written when it names no
	// address ("MAILER-DAEMON", "Mail Delivery System <>"), else "".
	FromText   string
	ReplyTo    []Address //
	To         []Address //
	Cc         []Address //
	ReturnPath string    // the address in Return-Path; "<>" stays as "" with HasReturnPath true
	// HasReturnPath tells a present-but-empty Return-Path (a bounce) from a missing one.
	HasReturnPath bool
	Date          time.Time // zero when missing or unparseable
	Header        Header    // the top-level header fields classification needs

	Text        string // full plain text (text/plain preferred; derived from HTML when HTML-only)
	VisibleText string // Text with quoted history removed
	// HTML is the sanitized HTML for display; empty when the mail had none.
	// Parse fills it; after ParseText, SafeHTML fills it on first use.
	HTML string

	rawHTML   string // the HTML parts as sent, kept for SafeHTML
	htmlReady bool   // HTML holds rawHTML sanitized

	Attachments []Attachment
	// Report holds a delivery-status report (multipart/report; report-type=delivery-status).
	Report *Report
	// Problems lists what was malformed and recovered from, for logs; never fatal.
	Problems []string
	// Overflow names the limit (MaxParts, MaxAttachments, MaxHeaderFields,
	// MaxHeaderBytes) the mail passed, e.g. "mail has more than 500 MIME
	// parts"; the mail was parsed only up to it. "" when within them all.
	Overflow string
}

// Header keeps the top-level fields that classification reads, canonical keys.
type Header map[string][]string

// Get returns the first value of key (canonical MIME form, e.g. "Auto-Submitted").
func (h Header) Get(key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Attachment is a file part, or an inline image referenced by Content-ID.
type Attachment struct {
	Filename    string // decoded (RFC 2047/2231); a generated name when none was given
	ContentType string // media type only, lower-case, e.g. "image/png"
	ContentID   string // without angle brackets; empty when none
	Inline      bool   // Content-Disposition inline with a Content-ID
	Data        []byte
}

// Report is the machine-readable part of a delivery status notification (RFC 3464).
type Report struct {
	Recipients []ReportRecipient
}

// ReportRecipient is one per-recipient block of a DSN.
type ReportRecipient struct {
	FinalRecipient string // address only, lower-cased
	Action         string // failed, delayed, delivered, relayed, expanded (lower-case)
	Status         string // e.g. "5.1.1"
	Diagnostic     string // Diagnostic-Code, as given
}

// Permanent reports whether the recipient failed for good (Action failed, Status 5.x.x).
func (r ReportRecipient) Permanent() bool {
	return r.Action == "failed" || (len(r.Status) > 0 && r.Status[0] == '5')
}

// SafeHTML is the mail's HTML sanitized for display, sanitizing it on the
// first call and keeping the result, so the costliest step of parsing runs
// once per mail and only for a mail whose HTML is wanted (a reply or a new
// ticket, not a bounce or an auto-reply). Not safe for concurrent first
// calls on one Mail.
func (m *Mail) SafeHTML() string {
	if !m.htmlReady {
		m.htmlReady = true
		if m.rawHTML != "" {
			m.HTML = strings.ToValidUTF8(SanitizeHTML(m.rawHTML), "\uFFFD")
		}
		m.rawHTML = ""
	}
	return m.HTML
}
