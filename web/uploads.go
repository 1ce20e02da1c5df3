package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/dargo-support/dargo/internal/textsafe"
	"github.com/dargo-support/dargo/store"
)

// Upload limits for a reply or a new ticket.
const (
	maxUploadBytes = 25 << 20 // the whole request
	maxFiles       = 10
	maxTextBytes   = 64 << 10
)

var errTooLarge = errors.New("web: upload too large")

// parseForm reads a form that may carry files, within the upload limits.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err := r.ParseMultipartForm(8 << 20) // #nosec G120 -- the body is capped by MaxBytesReader above
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errTooLarge
		}
		return err
	}
	err := r.ParseForm()
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errTooLarge
	}
	return err
}

// formFiles returns the files of the form field "files". The content type
// is what the bytes are, not what the browser claimed.
func formFiles(r *http.Request) ([]store.NewAttachment, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []store.NewAttachment
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the empty input of a form sent without a file
		}
		if len(out) == maxFiles {
			return nil, fmt.Errorf("attach at most %d files", maxFiles)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, store.NewAttachment{Filename: cleanFilename(fh.Filename), ContentType: sniff(data, fh.Filename), Data: data})
	}
	return out, nil
}

// sniff names the content type from the bytes, falling back to the name's
// extension only for types the bytes cannot tell apart (text formats).
func sniff(data []byte, name string) string {
	ct := http.DetectContentType(data)
	if strings.HasPrefix(ct, "text/plain") || ct == "application/octet-stream" {
		if byExt := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); byExt != "" && !strings.Contains(byExt, "html") &&
			!strings.Contains(byExt, "javascript") && !strings.Contains(byExt, "svg") {
			return byExt
		}
	}
	if strings.HasPrefix(ct, "text/html") || strings.HasPrefix(ct, "text/xml") {
		return "application/octet-stream" // markup a browser would run, whatever the name says
	}
	return ct
}

// cleanFilename keeps a file's base name, printable, without bidi controls
// (that would show "evil\u202egpj.html" as a .jpg) and not too long.
func cleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(textsafe.Clean(name), "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '/' {
			return '_'
		}
		return r
	}, name)
	for len(name) > 180 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}

// formText is a trimmed text field, and an error when it is longer than max
// characters or not UTF-8.
func formText(r *http.Request, field string, max int) (string, error) {
	s := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue(field), "\r\n", "\n"))
	if !utf8.ValidString(s) {
		return strings.ToValidUTF8(s, "\uFFFD"), fmt.Errorf("%s is not valid text", field)
	}
	if utf8.RuneCountInString(s) > max {
		// The text comes back with the error, so the form can keep it.
		return s, fmt.Errorf("%s is too long (at most %d characters)", field, max)
	}
	return s, nil
}
