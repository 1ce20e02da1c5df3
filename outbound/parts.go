package outbound

import (
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message/mail"
)

// writeBody writes h and the text (and HTML) of m as the whole message.
func writeBody(w io.Writer, h mail.Header, m *Mail) error {
	if m.HTML == "" {
		wc, err := mail.CreateSingleInlineWriter(w, withType(h, "text/plain"))
		if err != nil {
			return err
		}
		return writeClose(wc, m.Text)
	}
	iw, err := mail.CreateInlineWriter(w, h)
	if err != nil {
		return err
	}
	if err := writeAlternative(iw, m); err != nil {
		return err
	}
	return iw.Close()
}

// writeMixed writes h, the text (and HTML) of m and its attachments.
func writeMixed(w io.Writer, h mail.Header, m *Mail) error {
	mw, err := mail.CreateWriter(w, h)
	if err != nil {
		return err
	}
	if m.HTML == "" {
		wc, err := mw.CreateSingleInline(mail.InlineHeader{Header: withType(mail.Header{}, "text/plain").Header})
		if err != nil {
			return err
		}
		if err := writeClose(wc, m.Text); err != nil {
			return err
		}
	} else {
		iw, err := mw.CreateInline()
		if err != nil {
			return err
		}
		if err := writeAlternative(iw, m); err != nil {
			return err
		}
		if err := iw.Close(); err != nil {
			return err
		}
	}
	for _, a := range m.Attachments {
		if err := writeAttachment(mw, a); err != nil {
			return err
		}
	}
	return mw.Close()
}

// writeAlternative writes the text and the HTML part of m.
func writeAlternative(iw *mail.InlineWriter, m *Mail) error {
	for _, p := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		var ih mail.InlineHeader
		ih.SetContentType(p.typ, map[string]string{"charset": "utf-8"})
		ih.Set("Content-Transfer-Encoding", "quoted-printable")
		wc, err := iw.CreatePart(ih)
		if err != nil {
			return err
		}
		if err := writeClose(wc, p.body); err != nil {
			return err
		}
	}
	return nil
}

// writeAttachment writes one base64 attachment part.
func writeAttachment(mw *mail.Writer, a Attachment) error {
	name := cleanFilename(a.Filename)
	typ, params := contentType(a.ContentType)
	params["name"] = name
	var ah mail.AttachmentHeader
	ah.SetContentType(typ, params)
	ah.SetFilename(name)
	ah.Set("Content-Transfer-Encoding", "base64")
	wc, err := mw.CreateAttachment(ah)
	if err != nil {
		return err
	}
	if _, err := wc.Write(a.Data); err != nil {
		return err
	}
	return wc.Close()
}

// contentType returns the media type of ct and its charset, if any, or
// application/octet-stream when ct is not a valid type for a leaf part.
func contentType(ct string) (string, map[string]string) {
	t, params, err := mime.ParseMediaType(ct)
	if err != nil || !strings.Contains(t, "/") || strings.HasPrefix(t, "multipart/") || strings.HasPrefix(t, "message/") {
		return "application/octet-stream", map[string]string{}
	}
	out := map[string]string{}
	if cs := params["charset"]; cs != "" && cleanToken(cs) {
		out["charset"] = cs
	}
	return t, out
}

// cleanToken reports whether s is a short MIME token (RFC 2045).
func cleanToken(s string) bool {
	if len(s) > 40 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`()<>@,;:\"/[]?=`, r) {
			return false
		}
	}
	return true
}

// withType returns a copy of h for a single quoted-printable part of type t.
func withType(h mail.Header, t string) mail.Header {
	h = h.Copy()
	h.SetContentType(t, map[string]string{"charset": "utf-8"})
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	return h
}

// writeClose writes body as valid UTF-8 with LF line ends (the
// quoted-printable writer turns them into CRLF) and closes wc.
func writeClose(wc io.WriteCloser, body string) error {
	body = strings.ToValidUTF8(body, "\uFFFD")
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	if _, err := io.WriteString(wc, body); err != nil {
		wc.Close()
		return err
	}
	return wc.Close()
}

// composeSize estimates the size of the composed mail, to allocate once.
func composeSize(m *Mail) int {
	n := 4096 + len(m.Text)*3 + len(m.HTML)*3
	for _, a := range m.Attachments {
		n += len(a.Data)*4/3 + len(a.Data)/38 + 512
	}
	return n
}
