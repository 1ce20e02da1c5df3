package inbound

import (
	"github.com/dargo-support/dargo/inbound/mailparse"

	"bufio"
	"bytes"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// FeedbackReport is what an abuse report (ARF, RFC 5965, or Microsoft's
// JMRP) says: the feedback type and the addresses that complained.
type FeedbackReport struct {
	Type       string   // abuse, fraud, auth-failure, not-spam, virus, other (lower-case)
	Recipients []string // Original-Rcpt-To, else the returned mail's recipient
}

// Complaint reports whether the report is a recipient's complaint about
// the mail (abuse or fraud), which suppresses the address; the other types
// (auth-failure forensic reports, virus, not-spam) are only recorded.
func (f *FeedbackReport) Complaint() bool {
	return f.Type == "abuse" || f.Type == "fraud"
}

// feedbackReport reads an abuse report, or returns nil for any other mail:
// a multipart/report of report-type feedback-report (or any mail with a
// message/feedback-report part), or a JMRP report whose returned message
// carries X-HmXmrOriginalRecipient.
func feedbackReport(m *Mail) *FeedbackReport {
	var fr *FeedbackReport
	if reportType(m) == "feedback-report" {
		fr = &FeedbackReport{Type: "other"}
	}
	for _, a := range m.Attachments {
		if a.ContentType != "message/feedback-report" {
			continue
		}
		h, ok := headerOf(a.Data)
		if !ok {
			continue
		}
		fr = &FeedbackReport{Type: strings.ToLower(strings.TrimSpace(h.Get("Feedback-Type")))}
		if fr.Type == "" {
			fr.Type = "other"
		}
		for fs := h.FieldsByKey("Original-Rcpt-To"); fs.Next(); {
			if addr := mailparse.DSNAddress(fs.Value()); strings.Contains(addr, "@") {
				fr.Recipients = append(fr.Recipients, addr)
			}
		}
		break
	}
	for _, h := range returnedHeaders(m) {
		if jmrp := mailparse.DSNAddress(h.Get("X-Hmxmroriginalrecipient")); jmrp != "" {
			if fr == nil {
				fr = &FeedbackReport{Type: "abuse"}
			}
			if len(fr.Recipients) == 0 {
				fr.Recipients = append(fr.Recipients, jmrp)
			}
		}
		if fr != nil && len(fr.Recipients) == 0 {
			for _, a := range mailparse.ParseAddressList(h.Get("To"), new([]string)) {
				fr.Recipients = append(fr.Recipients, a.Email)
			}
		}
	}
	return fr
}

// returnedHeaders are the headers of the mails a report returns, whole
// (message/rfc822) or as headers only (text/rfc822-headers), and their
// global forms.
func returnedHeaders(m *Mail) []textproto.Header {
	var out []textproto.Header
	for _, a := range m.Attachments {
		switch a.ContentType {
		case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers":
		default:
			continue
		}
		if h, ok := headerOf(a.Data); ok {
			out = append(out, h)
		}
	}
	return out
}

// headerOf reads the header block at the start of data (all of data when
// it has no body).
func headerOf(data []byte) (textproto.Header, bool) {
	if i := bytes.Index(data, []byte("\n\n")); i >= 0 {
		data = data[:i+2]
	} else if i := bytes.Index(data, []byte("\r\n\r\n")); i >= 0 {
		data = data[:i+4]
	} else {
		data = append(append([]byte{}, data...), "\r\n\r\n"...)
	}
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(data)))
	return h, err == nil
}
