package mailparse

import (
	"net/url"
	"strings"

	"github.com/emersion/go-message"
)

// contentType returns the lower-case media type and its parameters, with the
// defaults of RFC 2045 (text/plain, or message/rfc822 inside multipart/digest).
func contentType(h message.Header, parent string, problems *[]string) (string, map[string]string) {
	if strings.TrimSpace(h.Get("Content-Type")) == "" {
		if parent == "digest" {
			return "message/rfc822", map[string]string{}
		}
		return "text/plain", map[string]string{}
	}
	t, params, err := h.ContentType()
	t, params = withFallback(h.Get("Content-Type"), t, params, err)
	if !strings.Contains(t, "/") {
		addProblem(problems, "mime: bad content type "+quoteShort(t))
		return "text/plain", params
	}
	return t, params
}

// disposition returns the lower-case disposition ("" when absent) and its
// parameters.
func disposition(h message.Header) (string, map[string]string) {
	v := h.Get("Content-Disposition")
	if v == "" {
		return "", map[string]string{}
	}
	t, params, err := h.ContentDisposition()
	return withFallback(v, t, params, err)
}

// withFallback takes go-message's parse of a parameterized field (which goes
// through mime.ParseMediaType, so RFC 2231 continuations and charsets are
// handled there) and falls back to lenientParams when that failed or dropped
// an extended parameter it could not decode.
func withFallback(v, t string, params map[string]string, err error) (string, map[string]string) {
	if err != nil || params == nil || (strings.Contains(v, "*=") && params["filename"] == "" && params["name"] == "") {
		t, params = lenientParams(headerString(v))
		for k, pv := range params {
			params[k] = decodeWords(pv)
		}
	}
	for k, pv := range params {
		params[k] = strings.TrimSpace(headerString(pv))
	}
	return strings.ToLower(strings.TrimSpace(t)), params
}

// lenientParams reads "type; k=v; ..." for the values mime.ParseMediaType
// rejects: unquoted specials, duplicate or broken RFC 2231 sections.
func lenientParams(v string) (string, map[string]string) {
	parts := strings.Split(v, ";")
	params := make(map[string]string, len(parts))
	type section struct {
		val      string
		extended bool
	}
	var order []string
	cont := map[string][]section{}
	for _, p := range parts[1:] {
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.Trim(strings.TrimSpace(val), `"`)
		base, _, star := strings.Cut(k, "*")
		if !star {
			params[k] = val
			continue
		}
		if _, seen := cont[base]; !seen {
			order = append(order, base)
		}
		cont[base] = append(cont[base], section{val, strings.HasSuffix(k, "*")})
	}
	for _, base := range order {
		var raw []byte
		label := ""
		for i, sec := range cont[base] {
			val := sec.val
			if i == 0 && sec.extended && strings.Count(val, "'") >= 2 {
				cs, rest, _ := strings.Cut(val, "'")
				_, rest, _ = strings.Cut(rest, "'")
				label, val = cs, rest
			}
			if sec.extended {
				if u, err := url.PathUnescape(val); err == nil {
					val = u
				}
			}
			raw = append(raw, val...)
		}
		params[base], _ = decodeCharset(raw, label)
	}
	t, _, _ := strings.Cut(parts[0], ";")
	return t, params
}

func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40]
	}
	return "\"" + s + "\""
}

var extensions = map[string]string{
	"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
	"image/webp": ".webp", "text/plain": ".txt", "text/html": ".html", "text/calendar": ".ics",
	"message/rfc822": ".eml", "message/global": ".eml", "text/rfc822-headers": ".txt",
	"application/zip": ".zip",
}

func extension(ct string) string {
	if e, ok := extensions[ct]; ok {
		return e
	}
	return ".bin"
}

// cleanFilename drops path parts and control characters from a file name.
func cleanFilename(s string) string {
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "")
	}
	if s == "" || s == "." || s == ".." {
		return "attachment"
	}
	return s
}

// rfc822Filename names an attached message after its subject.
func rfc822Filename(data []byte) string {
	var problems []string
	data, _ = cutHeader(data)
	h, _ := readHeader(data, &problems)
	subj := headerText(h.Get("Subject"))
	subj = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, subj)
	if len(subj) > 120 {
		subj = strings.ToValidUTF8(subj[:120], "")
	}
	if strings.TrimSpace(subj) == "" {
		return "message.eml"
	}
	return subj + ".eml"
}
