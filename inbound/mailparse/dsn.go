package mailparse

import (
	"bytes"
	"regexp"
	"strings"
)

var statusCode = regexp.MustCompile(`[245]\.\d{1,3}\.\d{1,3}`)

// parseDSN reads a message/delivery-status body (RFC 3464): a per-message
// block, then one block per recipient, separated by blank lines, each read
// as a header by readHeader. It returns nil when no recipient block is found.
func parseDSN(body []byte) *Report {
	body = bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n"))
	var rep Report
	for _, block := range bytes.Split(body, []byte("\n\n")) {
		block = bytes.TrimLeft(block, "\n")
		if len(block) == 0 {
			continue
		}
		var problems []string
		h, _ := readHeader(block, &problems)
		final := h.Get("Final-Recipient")
		if final == "" {
			final = h.Get("Original-Recipient")
		}
		action := h.Get("Action")
		if final == "" && action == "" {
			continue
		}
		rep.Recipients = append(rep.Recipients, ReportRecipient{
			FinalRecipient: dsnAddress(final),
			Action:         strings.ToLower(strings.TrimSpace(action)),
			Status:         statusCode.FindString(h.Get("Status")),
			Diagnostic:     strings.TrimSpace(h.Get("Diagnostic-Code")),
		})
	}
	if len(rep.Recipients) == 0 {
		return nil
	}
	return &rep
}

// dsnAddress strips the address type ("rfc822;") and angle brackets.
func dsnAddress(s string) string {
	if _, addr, ok := strings.Cut(s, ";"); ok {
		s = addr
	}
	s = strings.Trim(strings.TrimSpace(s), "<>")
	return strings.ToLower(strings.TrimSpace(s))
}
