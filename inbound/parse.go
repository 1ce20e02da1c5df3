package inbound

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

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
func Parse(raw []byte) (m *Mail, err error) {
	m = &Mail{}
	defer func() {
		if r := recover(); r != nil {
			m.Problems = append(m.Problems, panicProblem)
		}
		m.finish()
	}()
	h, body := readHeader(raw, &m.Problems)
	if len(h) == 0 {
		addProblem(&m.Problems, "header: none found")
		err = ErrNoHeader
		body = raw
	}
	m.readTopHeader(h)
	w := walker{m: m}
	w.part(h, body, "", 0)
	w.assemble()
	return m, err
}

// walker collects body parts and attachments while descending the MIME tree.
type walker struct {
	m     *Mail
	texts []string
	htmls []string
	n     int    // attachment counter for generated names
	inRel []bool // parallel to m.Attachments: had a Content-ID without a disposition
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

func (w *walker) part(h header, body []byte, parent string, depth int) {
	ct, params := contentType(h, parent, &w.m.Problems)
	disp, dparams := disposition(h)
	if depth > maxDepth {
		w.problem("mime: nesting too deep")
		return
	}
	if strings.HasPrefix(ct, "multipart/") {
		w.multipart(ct, params, body, depth)
		return
	}
	data, ok := decodeTransfer(h.get("Content-Transfer-Encoding"), body)
	if !ok {
		w.problem("mime: damaged " + strings.ToLower(h.get("Content-Transfer-Encoding")) + " body, decoded what could be read")
	}
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	switch {
	case (ct == "text/plain" || ct == "text/html") && disp != "attachment" && filename == "":
		label := params["charset"]
		if ct == "text/html" && label == "" && !utf8.Valid(data) {
			_, label, _ = htmlcharset.DetermineEncoding(data, "text/html")
		}
		text, problem := decodeCharset(data, label)
		if problem != "" {
			w.problem(problem)
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
		if rep := parseDSN(data); rep != nil {
			w.m.Report = rep
		}
	default:
		if filename == "" && (ct == "message/rfc822" || ct == "message/global") {
			filename = rfc822Filename(data)
		}
		w.attach(h, ct, disp, filename, data, parent)
	}
}

func (w *walker) multipart(ct string, params map[string]string, body []byte, depth int) {
	parts, closed := splitMultipart(body, params["boundary"])
	if parts == nil {
		w.problem("mime: " + ct + " without boundary lines, read as text")
		w.part(nil, body, "", depth+1)
		return
	}
	if !closed {
		w.problem("mime: missing closing boundary")
	}
	sub := strings.TrimPrefix(ct, "multipart/")
	for _, p := range parts {
		ph, pbody := readHeader(p, &w.m.Problems)
		w.part(ph, pbody, sub, depth+1)
	}
}

// splitMultipart returns the parts between boundary lines; closed is false
// when the closing boundary is missing.
func splitMultipart(body []byte, boundary string) (parts [][]byte, closed bool) {
	if boundary == "" {
		boundary = guessBoundary(body)
		if boundary == "" {
			return nil, false
		}
	}
	delim := "--" + boundary
	start := -1
	pos := 0
	for pos < len(body) {
		i := bytes.Index(body[pos:], []byte(delim))
		if i < 0 {
			break
		}
		i += pos
		after := i + len(delim)
		if i > 0 && body[i-1] != '\n' {
			pos = after
			continue
		}
		isClose := bytes.HasPrefix(body[after:], []byte("--"))
		rest := body[after:]
		if isClose {
			rest = rest[2:]
		}
		lineEnd := bytes.IndexByte(rest, '\n')
		tail := rest
		if lineEnd >= 0 {
			tail = rest[:lineEnd]
		}
		if len(bytes.TrimSpace(tail)) != 0 && !isClose {
			pos = after // a longer boundary that starts with ours
			continue
		}
		if start >= 0 {
			end := i - 1 // drop the line break before the delimiter
			if end > 0 && body[end-1] == '\r' {
				end--
			}
			if end < start {
				end = start
			}
			parts = append(parts, body[start:end])
		}
		if isClose {
			return nonNil(parts), true
		}
		if lineEnd < 0 {
			return nonNil(parts), false
		}
		start = len(body) - len(rest) + lineEnd + 1
		pos = start
	}
	if start < 0 {
		return nil, false
	}
	return append(parts, body[start:]), false
}

func nonNil(p [][]byte) [][]byte {
	if p == nil {
		return [][]byte{}
	}
	return p
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

func (w *walker) attach(h header, ct, disp, filename string, data []byte, parent string) {
	w.n++
	cid := parseMessageID(h.get("Content-Id"))
	if filename == "" {
		filename = "attachment-" + strconv.Itoa(w.n) + extension(ct)
	}
	a := Attachment{
		Filename:    cleanFilename(filename),
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
	if strings.TrimSpace(rawHTML) != "" {
		doc = parseHTMLDoc(rawHTML)
		if text == "" {
			text = strings.TrimSpace(doc.full)
		}
	}
	m.Text = text
	m.VisibleText = chooseVisible(text, doc, m.Subject)
	if doc != nil {
		m.HTML = SanitizeHTML(rawHTML)
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
	hvis := tidy(doc.vis)
	if !doc.cut || hvis == "" {
		return vis
	}
	if agree(vis, hvis) {
		return vis
	}
	return hvis
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
	fix(&m.Text)
	fix(&m.VisibleText)
	fix(&m.HTML)
	fix(&m.From.Name)
	if m.VisibleText == "" && m.Text != "" {
		m.VisibleText = m.Text
	}
}
