package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/dargo-support/dargo/internal/textsafe"
	"github.com/dargo-support/dargo/store"
)

// Upload limits for a reply or a new ticket. Sizes count as people do
// (1 MB is 1,000,000 bytes), so the limit the page states, the browser's
// check and the server's agree to the byte.
const (
	maxAttachText  = "25 MB"
	maxAttachBytes = 25 * 1000 * 1000       // a message's files in all, staged ones included
	maxBodyBytes   = maxAttachBytes + 1<<20 // one request: the files and the text fields
	maxFieldBytes  = 1 << 20                // one text field, before formText's own limit
	maxFiles       = 10
	maxTextBytes   = 64 << 10
)

// postedFiles is what a form's "files" field brought: the files that fit
// and, for those that did not, the words to say why.
type postedFiles struct {
	Files   []store.NewAttachment
	Problem string
}

// readForm reads a form into r.PostForm (so PostFormValue works as ever)
// and keeps the files that fit in room bytes and slots more files. A
// multipart body is streamed: the text fields come before the files in our
// forms, so a file over the limit never costs the text. A file is read no
// further than the room left; a body over maxBodyBytes ends the reading
// with what came before it. Only a malformed body is an error.
func readForm(w http.ResponseWriter, r *http.Request, room int64, slots int) (*postedFiles, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	out := &postedFiles{}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err := r.ParseForm()
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			out.Problem = "The form was too large to send."
			return out, nil
		}
		return out, err
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return out, err
	}
	values := url.Values{}
	var problems []string
	refusedLast := false // the file before was too large
	for {
		part, err := mr.NextPart()
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			if !refusedLast { // else that file's problem says it already
				problems = append(problems, fmt.Sprintf("The files were too large to send: attachments may be %s in all.", maxAttachText))
			}
			break
		}
		refusedLast = false
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, err
		}
		name, filename := part.FormName(), part.FileName()
		if name != "files" {
			if filename == "" {
				b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes))
				if err != nil && !errors.As(err, &tooBig) {
					return out, err
				}
				values.Add(name, string(b))
			}
			continue
		}
		if filename == "" {
			continue // the empty input of a form sent without a file
		}
		filename = cleanFilename(filename)
		if len(out.Files) >= slots {
			problems = append(problems, fmt.Sprintf("%s was not attached: a message may have at most %d files.", filename, maxFiles))
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, room+1))
		if err != nil && !errors.As(err, &tooBig) {
			return out, err
		}
		if int64(len(data)) > room || err != nil {
			problems = append(problems, fileTooLarge(filename, room))
			refusedLast = true
			if err != nil {
				break
			}
			continue
		}
		room -= int64(len(data))
		out.Files = append(out.Files, store.NewAttachment{Filename: filename, ContentType: sniff(data, filename), Data: data})
	}
	out.Problem = strings.Join(problems, " ")
	r.PostForm = values
	r.Form = url.Values{}
	for k, vs := range r.URL.Query() {
		r.Form[k] = vs
	}
	for k, vs := range values {
		r.Form[k] = append(r.Form[k], vs...)
	}
	return out, nil
}

// fileTooLarge says which file did not fit, and the limit; and what is
// left when the files already taken use a megabyte or more.
func fileTooLarge(name string, room int64) string {
	if room > maxAttachBytes-1000*1000 {
		return fmt.Sprintf("%s is too large: attachments may be %s in all.", name, maxAttachText)
	}
	return fmt.Sprintf("%s is too large: attachments may be %s in all, and %s is left.", name, maxAttachText, byteSize(max(room, 0)))
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
