package mailparse

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dargo-support/dargo/internal/textsafe"
	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // charset conversion for message.New
	"github.com/emersion/go-message/textproto"
	htmlcharset "golang.org/x/net/html/charset"
)

// ErrNoHeader is returned, together with a usable Mail, when the input has no
// header field at all; the whole input is then read as a plain-text body.
var ErrNoHeader = errors.New("inbound: no header fields")

const maxDepth = 30

// panicProblem marks a Mail whose parsing hit a bug; the fuzz test looks for it.
const panicProblem = "parse: internal error, result incomplete"

// Parse reads one raw RFC 5322 message. It never panics and recovers from
// malformed input as far as it can, listing what it recovered from in
// Mail.Problems. The returned Mail is never nil.
func Parse(raw []byte) (*Mail, error) {
	return parse(raw, true)
}

// ParseText is Parse without sanitizing the HTML yet: Mail.HTML stays empty
// until Mail.SafeHTML is called, and everything else is as Parse gives it.
// Sanitizing is the costliest step of Parse, so the pipeline parses with
// this and sanitizes only a mail it stores as a message, and a reader that
// shows only text, such as a preview, never sanitizes.
func ParseText(raw []byte) (*Mail, error) {
	return parse(raw, false)
}

func parse(raw []byte, sanitize bool) (m *Mail, err error) {
	m = &Mail{}
	raw, m.Overflow = cutHeader(raw)
	defer func() {
		if r := recover(); r != nil {
			m.Problems = append(m.Problems, panicProblem)
		}
		m.finish()
	}()
	h, body := readHeader(raw, &m.Problems)
	if h.Len() == 0 {
		addProblem(&m.Problems, "header: none found")
		err = ErrNoHeader
		body = raw
	}
	m.readTopHeader(h)
	w := walker{m: m, body: body, top: bytes.NewReader(body), sanitize: sanitize}
	if crowdedPartHeader(body) {
		w.overflow(overflowPartHeader)
	} else {
		w.entity(h, w.top, nil, "", 0)
	}
	w.assemble()
	return m, err
}

// walker collects body parts and attachments while descending the MIME tree
// with go-message's multipart reader.
type walker struct {
	m     *Mail
	body  []byte        // the top-level body, for rereading a part go-message could not decode
	top   *bytes.Reader // reads body; its offset bounds where the current part starts
	texts []string
	htmls []string
	n     int    // attachment counter for generated names
	inRel []bool // parallel to m.Attachments: had a Content-ID without a disposition
	parts int    // MIME parts seen inside multiparts
	stop  bool   // a limit was passed (see overflow): walk no further

	sanitize bool // fill Mail.HTML (see ParseText)
}

// step is one level of the path to a part: the i-th part inside a multipart
// with the given boundary. at is how far w.top had read when the part
// started (an upper bound of its start in body), or -1 when the multipart
// body is read from src, a copy.
type step struct {
	boundary string
	i        int
	at       int
	src      []byte
}

func (w *walker) problem(s string) { addProblem(&w.m.Problems, s) }

// maxProblems bounds Mail.Problems for hostile input.
const maxProblems = 20

// addProblem records s once.
func addProblem(list *[]string, s string) {
	if len(*list) >= maxProblems {
		return
	}
	for _, p := range *list {
		if p == s {
			return
		}
	}
	*list = append(*list, s)
}

// entity handles one MIME entity whose raw (undecoded) body is r.
func (w *walker) entity(h message.Header, r io.Reader, path []step, parent string, depth int) {
	ct, params := contentType(h, parent, &w.m.Problems)
	disp, dparams := disposition(h)
	if depth > maxDepth {
		w.problem("mime: nesting too deep")
		return
	}
	if strings.HasPrefix(ct, "multipart/") {
		w.multipart(ct, params, r, path, depth)
		return
	}
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	switch {
	case (ct == "text/plain" || ct == "text/html") && disp != "attachment" && filename == "":
		label := params["charset"]
		data, converted := w.read(h, r, path, label)
		var text string
		if converted {
			text = strings.ToValidUTF8(string(data), "\uFFFD")
		} else {
			if ct == "text/html" && label == "" && !utf8.Valid(data) {
				_, label, _ = htmlcharset.DetermineEncoding(data, "text/html")
			}
			var problem string
			if ct == "text/plain" && ownCharset(label) && utf8.Valid(data) {
				if len(data) > 0 && len(w.body) > 0 && &data[0] != &w.body[0] {
					text = newlinesToLFOwned(data) // read into a buffer of its own: no copy at all
				} else {
					text = newlinesToLF(data) // the raw mail itself: one copy
				}
			} else {
				text, problem = decodeCharset(data, label)
			}
			if problem != "" {
				w.problem(problem)
			}
		}
		if ct == "text/html" {
			w.htmls = append(w.htmls, text)
			return
		}
		text = normalizeNewlines(text)
		if strings.EqualFold(params["format"], "flowed") {
			text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
		}
		w.texts = append(w.texts, text)
	case ct == "message/delivery-status" || ct == "message/global-delivery-status":
		data, _ := w.read(h, r, path, "")
		if rep := parseDSN(data); rep != nil {
			w.m.Report = rep
		}
	default:
		if w.full() {
			return // not read: it would not be kept
		}
		data, _ := w.read(h, r, path, "")
		if filename == "" && (ct == "message/rfc822" || ct == "message/global") {
			filename = rfc822Filename(data)
		}
		w.attach(h, ct, disp, filename, data, parent)
	}
}

// read returns the body of a leaf part. go-message undoes the transfer
// encoding and, for a charset label that is not one of ours (see ownCharset),
// converts the text to UTF-8; converted reports whether it did. When
// go-message fails on damaged encoded data, the part is read again and
// decoded by the lenient fallback decoders.
func (w *walker) read(h message.Header, r io.Reader, path []step, label string) (data []byte, converted bool) {
	enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	identity := enc != "base64" && enc != "quoted-printable"
	if identity && len(path) == 0 {
		return w.body, false // the top-level body needs no copy
	}
	var eh message.Header
	if !identity {
		eh.Set("Content-Transfer-Encoding", enc)
	}
	convert := label != "" && !ownCharset(label)
	if convert {
		eh.SetContentType("text/plain", map[string]string{"charset": label})
	}
	e, err := message.New(eh, r)
	converted = convert && !message.IsUnknownCharset(err)
	data, err = w.readAll(e.Body, path, enc)
	if err == nil || identity {
		return data, converted // a truncated multipart is reported by multipart
	}
	data, ok := decodeTransfer(enc, w.reread(path))
	if !ok || !errors.Is(err, io.ErrUnexpectedEOF) { // not just a truncated part
		w.problem("mime: damaged " + enc + " body, decoded what could be read")
	}
	return data, false
}

// readAll reads a decoded part body. Once the part has outgrown what the
// multipart readers can have buffered ahead of it (4 KiB per level), its
// closing boundary in body lies ahead of w.top, and the buffer is sized once
// from its raw extent, so that a big attachment is not held twice while
// growing.
func (w *walker) readAll(r io.Reader, path []step, enc string) ([]byte, error) {
	buf := make([]byte, 0, 512) // small: a mail may hold hundreds of empty parts
	sized := false
	for {
		if len(buf) == cap(buf) {
			if !sized && len(buf) >= 4096*len(path) {
				sized = true
				if n := w.rawBound(path); n > 0 {
					if enc == "base64" {
						n = n/4*3 + 3
					}
					buf = append(make([]byte, 0, max(n, len(buf)+512)), buf...)
				}
			}
			buf = slices.Grow(buf, 1)
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// rawBound returns an upper bound of the raw size of the part at path: from
// the earliest it can have started to its closing boundary line in body. It
// returns 0 when the part is not read from body directly.
func (w *walker) rawBound(path []step) int {
	if len(path) == 0 {
		return len(w.body)
	}
	for _, s := range path {
		if s.at < 0 {
			return 0
		}
	}
	last := path[len(path)-1]
	from := max(last.at-4096*(len(path)+1), 0)
	end := bytes.Index(w.body[last.at:], []byte("\n--"+last.boundary))
	if end < 0 {
		return len(w.body) - from
	}
	return last.at + end - from
}

// reread returns the raw body of the part at path, for the fallback decoders.
func (w *walker) reread(path []step) []byte {
	var r io.Reader = bytes.NewReader(w.body)
	for _, s := range path {
		if s.src != nil {
			r = bytes.NewReader(s.src)
		}
		mr := textproto.NewMultipartReader(r, s.boundary)
		for i := 0; i <= s.i; i++ {
			p, err := mr.NextPart()
			if err != nil {
				return nil
			}
			r = p
		}
	}
	raw, _ := w.readAll(r, path, "")
	return raw
}

// multipart walks the parts of a multipart entity with go-message's reader.
// A part header it rejects gets our repair pre-pass (repairParts) and the
// walk resumes on the repaired copy; a missing closing boundary keeps the
// parts read so far; a body without any boundary line is read as plain text.
func (w *walker) multipart(ct string, params map[string]string, r io.Reader, path []step, depth int) {
	boundary := params["boundary"]
	var src []byte // the multipart body, when read from a copy instead of w.top
	if boundary == "" {
		raw, _ := io.ReadAll(r)
		if boundary = guessBoundary(raw); boundary == "" {
			w.asText(ct, path, depth)
			return
		}
		src, r = raw, bytes.NewReader(raw)
	}
	mr := textproto.NewMultipartReader(r, boundary)
	sub := strings.TrimPrefix(ct, "multipart/")
	repaired := false
	for i := 0; !w.stop; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			return
		}
		if err != nil && !repaired && !readFailed(err) {
			repaired = true
			if src == nil {
				src = w.reread(path)
			}
			if fixed, ok := repairParts(src, boundary, &w.m.Problems); ok {
				src = fixed
				mr = textproto.NewMultipartReader(bytes.NewReader(fixed), boundary)
				for range i + 1 { // skip the parts already walked
					p, err = mr.NextPart()
				}
			}
		}
		if err != nil {
			if i == 0 {
				w.asText(ct, path, depth)
			} else {
				w.problem("mime: missing closing boundary")
			}
			return
		}
		if w.parts++; w.parts > MaxParts {
			w.overflow(overflowParts)
			return
		}
		at := -1
		if src == nil {
			at = len(w.body) - w.top.Len()
		}
		sp := append(path[:len(path):len(path)], step{boundary, i, at, src})
		w.entity(message.Header{Header: p.Header}, p, sp, sub, depth+1)
	}
}

// readFailed reports an error of the multipart reader itself, such as the
// end of input before the closing boundary, as opposed to a part header it
// rejected: the repair pre-pass cannot help with it, and would copy the
// whole multipart body at every level of nesting for nothing.
func readFailed(err error) bool {
	return strings.HasPrefix(err.Error(), "multipart: NextPart: ")
}

// repairParts is our pre-pass for part headers that textproto.ReadHeader
// rejects: it copies a multipart body with every part header cleaned by
// cleanHeader. ok is false when there was nothing to repair.
func repairParts(raw []byte, boundary string, problems *[]string) (fixed []byte, ok bool) {
	delim := []byte("--" + boundary)
	fixed = make([]byte, 0, len(raw)+64)
	var found []string
	for rest := raw; len(rest) > 0; {
		line, next := cutLine(rest)
		fixed = append(fixed, rest[:len(rest)-len(next)]...)
		rest = next
		if !bytes.Equal(bytes.TrimRight(line, " \t\r"), delim) {
			continue
		}
		clean, body := cleanHeader(rest, &found)
		fixed = append(append(fixed, clean...), '\r', '\n')
		rest = body
	}
	for _, p := range found {
		addProblem(problems, p)
	}
	return fixed, len(found) > 0
}

// asText reads a multipart body without boundary lines as plain text.
func (w *walker) asText(ct string, path []step, depth int) {
	w.problem("mime: " + ct + " without boundary lines, read as text")
	w.entity(message.Header{}, bytes.NewReader(w.reread(path)), path, "", depth+1)
}

// guessBoundary takes the first "--xyz" line as the boundary when the
// Content-Type did not name one.
func guessBoundary(body []byte) string {
	for rest := body; len(rest) > 0; {
		var line []byte
		line, rest = cutLine(rest)
		line = bytes.TrimSpace(line)
		if len(line) > 2 && line[0] == '-' && line[1] == '-' && len(line) < 200 {
			return string(line[2:])
		}
	}
	return ""
}

func (w *walker) attach(h message.Header, ct, disp, filename string, data []byte, parent string) {
	if w.full() {
		return
	}
	w.n++
	cid := parseMessageID(h.Get("Content-Id"))
	if filename == "" {
		filename = "attachment-" + strconv.Itoa(w.n) + extension(ct)
	}
	a := Attachment{
		Filename:    cleanFilename(textsafe.Clean(filename)),
		ContentType: ct,
		ContentID:   cid,
		Inline:      cid != "" && (disp == "inline" || (disp == "" && parent == "related")),
		Data:        data,
	}
	w.m.Attachments = append(w.m.Attachments, a)
	w.inRel = append(w.inRel, cid != "" && disp == "")
}

// assemble decides Text, HTML and VisibleText once all parts are known.
func (w *walker) assemble() {
	m := w.m
	text := strings.TrimSpace(strings.Join(w.texts, "\n"))
	rawHTML := strings.Join(w.htmls, "\n")
	for i := range m.Attachments {
		a := &m.Attachments[i]
		if !a.Inline && w.inRel[i] && strings.Contains(rawHTML, "cid:"+a.ContentID) {
			a.Inline = true
		}
	}
	var doc *htmlDoc
	fromHTML := false
	if strings.TrimSpace(rawHTML) != "" {
		doc = parseHTMLDoc(rawHTML)
		if text == "" {
			text = strings.TrimSpace(doc.full)
			fromHTML = true
		}
	}
	m.Text = text
	m.VisibleText = chooseVisible(text, doc, m.Subject)
	if fromHTML && doc.cut && htmlVisible(doc) == "" && !isForwardSubject(m.Subject) && !hasForwardLine(doc.full) {
		// Without a text/plain part, the HTML quote container is the only
		// sign that the mail is nothing but history; a forward marker in it
		// makes it content.
		m.VisibleText = ""
	}
	if doc != nil {
		m.rawHTML = rawHTML
	} else {
		m.htmlReady = true
	}
	if w.sanitize {
		m.SafeHTML()
	}
}

// chooseVisible applies the rule documented in doc.go: a forward keeps its
// whole text; when the HTML carries a structural quote marker, its cut wins
// unless the text/plain cut agrees with it, in which case the text/plain
// wording (the sender's own line breaks) is kept.
func chooseVisible(text string, doc *htmlDoc, subject string) string {
	if text == "" {
		return ""
	}
	if isForwardSubject(subject) {
		return tidy(text)
	}
	vis := VisibleText(text)
	if doc == nil {
		return vis
	}
	hvis := htmlVisible(doc)
	if !doc.cut || hvis == "" {
		return vis
	}
	if agree(vis, hvis) || keepsAnswers(vis) {
		return vis
	}
	return hvis
}

// keepsAnswers reports whether a text/plain cut kept interleaved answers:
// text of the sender's own below a ">" line. Gmail puts such answers inside
// its quote container, so the HTML cut would lose them.
func keepsAnswers(vis string) bool {
	quoted := false
	for l := range strings.SplitSeq(vis, "\n") {
		switch {
		case isQuoted(l):
			quoted = true
		case quoted && strings.TrimSpace(l) != "":
			return true
		}
	}
	return false
}

// hasForwardLine reports whether a line of text announces a forwarded message.
func hasForwardLine(text string) bool {
	for l := range strings.SplitSeq(text, "\n") {
		if isForwardLine(l) {
			return true
		}
	}
	return false
}

// htmlVisible is the text left outside the HTML quote containers, without
// a signature at its end.
func htmlVisible(doc *htmlDoc) string {
	return tidyLines(dropSignature(strings.Split(normalizeNewlines(doc.vis), "\n")))
}

// agree reports whether two visible texts hold about the same words.
func agree(a, b string) bool {
	na, nb := len(strings.Fields(a)), len(strings.Fields(b))
	d := na - nb
	if d < 0 {
		d = -d
	}
	return d <= 3 || d*10 <= max(na, nb)
}

func (m *Mail) finish() {
	fix := func(s *string) {
		if !utf8.ValidString(*s) {
			*s = strings.ToValidUTF8(*s, "\uFFFD")
		}
	}
	fix(&m.Subject)
	m.Subject = textsafe.Clean(m.Subject)
	m.From.Name = textsafe.Clean(m.From.Name)
	fix(&m.Text)
	fix(&m.VisibleText)
	fix(&m.HTML)
	fix(&m.From.Name)
}
