package mailparse

import (
	"bytes"
	"fmt"
)

// Limits on what one mail may hold. A mail over one of them is parsed only
// up to it, and Mail.Overflow says which was passed; the pipeline
// quarantines such a mail. The walk stops at the limit, so a hostile mail
// costs no more than a mail at the limit would.
const (
	MaxParts        = 500     // MIME parts, at any depth (multiparts count too)
	MaxAttachments  = 100     // file parts and inline images
	MaxHeaderFields = 1000    // fields of the top-level header, and of any part header
	MaxHeaderBytes  = 1 << 20 // top-level header size in bytes
)

// Overflow reasons, as Mail.Overflow gives them.
var (
	overflowParts        = fmt.Sprintf("mail has more than %d MIME parts", MaxParts)
	overflowAttachments  = fmt.Sprintf("mail has more than %d attachments", MaxAttachments)
	overflowHeaderFields = fmt.Sprintf("mail header has more than %d fields", MaxHeaderFields)
	overflowHeaderBytes  = fmt.Sprintf("mail header is larger than %d bytes", MaxHeaderBytes)
	overflowPartHeader   = fmt.Sprintf("a MIME part header has more than %d fields", MaxHeaderFields)
)

// cutHeader returns raw unchanged when its header is within the limits.
// Otherwise it returns raw cut at the limit (header only, no body) and the
// reason: go-message keeps each field as its own allocations, many times
// the size of a short field, so an oversized header is never handed to it.
// Where the header ends is decided as cleanHeader decides it.
func cutHeader(raw []byte) ([]byte, string) {
	fields := 0
	for rest := raw; len(rest) > 0; {
		at := len(raw) - len(rest)
		line, next := cutLine(rest)
		switch {
		case len(bytes.TrimRight(line, "\r")) == 0:
			return raw, "" // the blank line before the body
		case isField(line):
			if fields++; fields > MaxHeaderFields {
				return raw[:at], overflowHeaderFields
			}
		case line[0] != ' ' && line[0] != '\t' && !moreFieldsFollow(next):
			return raw, "" // the body starts without a blank line
		}
		if len(raw)-len(next) > MaxHeaderBytes {
			return raw[:at], overflowHeaderBytes
		}
		rest = next
	}
	return raw, ""
}

// crowdedPartHeader reports whether body holds a part header (the lines
// after a line starting with "--") of more than MaxHeaderFields fields.
// go-message's multipart reader parses part headers itself, with no bound,
// so they are counted before the walk; junk lines between fields count
// as cleanHeader would skip them.
func crowdedPartHeader(body []byte) bool {
	for rest := body; len(rest) > 0; {
		if !bytes.HasPrefix(rest, []byte("--")) {
			i := bytes.Index(rest, []byte("\n--"))
			if i < 0 {
				return false
			}
			rest = rest[i+1:]
		}
		_, rest = cutLine(rest) // the boundary line
		for fields := 0; len(rest) > 0; {
			line, next := cutLine(rest)
			if len(bytes.TrimRight(line, "\r")) == 0 {
				break
			}
			if isField(line) {
				if fields++; fields > MaxHeaderFields {
					return true
				}
			} else if line[0] != ' ' && line[0] != '\t' && !moreFieldsFollow(next) {
				break
			}
			rest = next
		}
	}
	return false
}

// full reports whether the mail already has MaxAttachments attachments,
// and records the overflow when it has. The walk goes on, unread, so that a
// mail of too many parts says so.
func (w *walker) full() bool {
	if len(w.m.Attachments) < MaxAttachments {
		return false
	}
	if w.m.Overflow == "" {
		w.m.Overflow = overflowAttachments
	}
	return true
}

// overflow records that a limit was passed and stops the walk. Too many
// parts is named over too many attachments: it is the cause.
func (w *walker) overflow(reason string) {
	if w.m.Overflow == "" || reason == overflowParts {
		w.m.Overflow = reason
	}
	w.stop = true
}
