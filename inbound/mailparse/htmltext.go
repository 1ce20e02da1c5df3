package mailparse

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlDoc is an HTML body rendered to text, with and without the quoted
// history that mail clients mark up.
type htmlDoc struct {
	full string // everything
	vis  string // quote containers left out
	cut  bool   // a quote container was left out
}

// parseHTMLDoc renders s in one pass of the x/net/html tokenizer. No tree is
// built: the quote containers we look for (div, blockquote) are never closed
// implicitly, so counting their start and end tags is enough.
func parseHTMLDoc(s string) *htmlDoc {
	r := htmlRenderer{z: html.NewTokenizer(strings.NewReader(s))}
	// Text is rarely more than half its HTML: size once instead of growing.
	r.full.b = make([]byte, 0, len(s)/2)
	r.vis.b = make([]byte, 0, len(s)/2)
	r.run()
	return &htmlDoc{full: string(r.full.b), vis: string(r.vis.b), cut: r.cut}
}

// HTMLText converts an HTML body to plain text: block elements and <br>
// become line breaks, links keep their text, scripts and styles are dropped,
// entities are decoded and runs of whitespace collapse to one space.
func HTMLText(s string) string {
	return tidy(parseHTMLDoc(s).full)
}

// maxFrames bounds the quote containers tracked at once, so that hostile
// nesting cannot make rendering quadratic.
const maxFrames = 32

// quoteFrame is an open quote container in the visible text.
type quoteFrame struct {
	tag     string
	depth   int // open elements with this tag name, itself included
	off     int // len(vis.b) when it opened
	nl      int
	forward bool // a forward marker came right before it
}

type htmlRenderer struct {
	z         *html.Tokenizer
	full, vis textWriter
	frames    []quoteFrame
	cut       bool
	visStop   bool // everything from here on is quoted history
	skipTag   string
	skipDepth int
	pre       int
	msoP      bool // the open <p> is an Outlook MsoNormal line
}

func (r *htmlRenderer) run() {
	for {
		tt := r.z.Next()
		switch tt {
		case html.ErrorToken:
			for len(r.frames) > 0 {
				r.closeFrame()
			}
			return
		case html.TextToken:
			if r.skipDepth > 0 {
				continue
			}
			t := r.z.Text()
			r.full.text(t, r.pre > 0)
			if !r.visStop {
				r.vis.text(t, r.pre > 0)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			r.start()
		case html.EndTagToken:
			r.end()
		}
	}
}

// skipped are elements whose content is never shown as text. <head> is not
// among them: it is often left unclosed, and its title and styles are
// skipped on their own.
var skipped = map[string]bool{
	"script": true, "style": true, "title": true, "noscript": true, "template": true,
	"svg": true, "textarea": true, "iframe": true,
}

var voids = map[string]bool{
	"br": true, "hr": true, "img": true, "meta": true, "link": true, "input": true, "wbr": true,
	"area": true, "base": true, "col": true, "embed": true, "param": true, "source": true, "track": true,
}

var blocks = map[string]bool{
	"div": true, "blockquote": true, "table": true, "tr": true, "ul": true, "ol": true, "dl": true,
	"dt": true, "dd": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"section": true, "article": true, "header": true, "footer": true, "address": true, "center": true,
	"form": true, "fieldset": true, "figure": true, "figcaption": true, "main": true, "nav": true,
	"aside": true, "caption": true, "body": true, "hr": true, "li": true, "p": true, "pre": true,
}

func (r *htmlRenderer) start() {
	name, hasAttr := r.z.TagName()
	tag := tagName(name)
	if r.skipDepth > 0 {
		if tag == r.skipTag {
			r.skipDepth++
		}
		return
	}
	if skipped[tag] {
		r.skipTag, r.skipDepth = tag, 1
		return
	}
	var a tagAttrs
	if hasAttr {
		a = readAttrs(r.z)
	}
	if !voids[tag] {
		for i := range r.frames {
			if r.frames[i].tag == tag {
				r.frames[i].depth++
			}
		}
	}
	if !r.visStop {
		switch quoteKind(tag, a) {
		case quoteRest:
			r.truncate(len(r.vis.b), r.vis.nl)
			r.visStop, r.cut = true, true
		case quoteNode:
			if len(r.frames) >= maxFrames {
				break // nested this deep, it goes with an outer quote
			}
			r.frames = append(r.frames, quoteFrame{tag: tag, depth: 1, off: len(r.vis.b), nl: r.vis.nl, forward: isForwardLine(r.vis.lastLine())})
		}
	}
	r.open(&r.full, tag, a)
	if !r.visStop {
		r.open(&r.vis, tag, a)
	}
	if tag == "pre" {
		r.pre++
	}
	if tag == "p" {
		r.msoP = a.msoNormal
	}
}

func (r *htmlRenderer) end() {
	name, _ := r.z.TagName()
	if r.skipDepth > 0 {
		if string(name) == r.skipTag {
			r.skipDepth--
		}
		return
	}
	tag := tagName(name)
	if tag == "pre" && r.pre > 0 {
		r.pre--
	}
	r.close(&r.full, tag)
	if !r.visStop {
		r.close(&r.vis, tag)
	}
	for i := len(r.frames) - 1; i >= 0; i-- {
		if r.frames[i].tag != tag {
			continue
		}
		r.frames[i].depth--
		if r.frames[i].depth == 0 {
			for len(r.frames) > i {
				r.closeFrame()
			}
			break
		}
	}
}

// closeFrame ends the innermost quote container: it stays when it is a
// forwarded message, else its text is taken back out.
func (r *htmlRenderer) closeFrame() {
	f := r.frames[len(r.frames)-1]
	r.frames = r.frames[:len(r.frames)-1]
	if r.visStop || f.off > len(r.vis.b) {
		return
	}
	if f.forward || startsWithForward(r.vis.b[f.off:]) {
		return
	}
	r.truncate(f.off, f.nl)
	r.cut = true
}

func (r *htmlRenderer) truncate(off, nl int) {
	r.vis.b = r.vis.b[:off]
	r.vis.nl = nl
	r.vis.space = false
}

func (r *htmlRenderer) open(w *textWriter, tag string, a tagAttrs) {
	switch tag {
	case "br":
		w.lineBreak()
	case "p":
		if a.msoNormal {
			w.block()
		} else {
			w.para()
		}
	case "pre":
		w.block()
	case "li":
		w.block()
		w.b = append(w.b, "- "...)
		w.nl = 0
	case "td", "th":
		w.space = true
	default:
		if blocks[tag] {
			w.block()
		}
	}
}

func (r *htmlRenderer) close(w *textWriter, tag string) {
	switch tag {
	case "p":
		if r.msoP {
			w.block()
		} else {
			w.para()
		}
	case "td", "th":
		w.space = true
	case "br":
		w.lineBreak() // </br> is read as <br> by browsers
	default:
		if blocks[tag] {
			w.block()
		}
	}
}

// tagName returns the (lower-case) tag name, without allocating for known tags.
func tagName(b []byte) string {
	if a := atom.Lookup(b); a != 0 {
		return a.String()
	}
	return string(b)
}

// tagAttrs are the attributes the renderer looks at.
type tagAttrs struct {
	class, id string
	cite      bool // type="cite"
	msoNormal bool
}

func readAttrs(z *html.Tokenizer) tagAttrs {
	var a tagAttrs
	for {
		key, val, more := z.TagAttr()
		switch string(key) {
		case "class":
			a.class = string(val)
			a.msoNormal = bytes.Contains(val, []byte("MsoNormal"))
		case "id":
			a.id = string(val)
		case "type":
			a.cite = bytes.EqualFold(bytes.TrimSpace(val), []byte("cite"))
		}
		if !more {
			return a
		}
	}
}

// textWriter collects rendered text, collapsing whitespace.
type textWriter struct {
	b     []byte
	nl    int  // line breaks at the end of b
	space bool // a collapsed space is pending
}

func (w *textWriter) text(s []byte, pre bool) {
	if pre {
		for _, c := range s {
			if c == '\r' {
				continue
			}
			w.b = append(w.b, c)
			if c == '\n' {
				w.nl = 1
			} else {
				w.nl = 0
			}
		}
		return
	}
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			if asciiSpace[c] {
				w.space = true
				s = s[1:]
				continue
			}
			i := 1
			for i < len(s) && s[i] < utf8.RuneSelf && !asciiSpace[s[i]] {
				i++
			}
			w.flushSpace()
			w.b = append(w.b, s[:i]...)
			w.nl = 0
			s = s[i:]
			continue
		}
		r, size := utf8.DecodeRune(s)
		switch r {
		case '\u200b', '\ufeff':
			s = s[size:]
			continue
		}
		w.flushSpace()
		if r == '\u00a0' {
			w.b = append(w.b, ' ')
		} else {
			w.b = append(w.b, s[:size]...)
		}
		s = s[size:]
		w.nl = 0
	}
}

var asciiSpace = [utf8.RuneSelf]bool{' ': true, '\t': true, '\n': true, '\r': true, '\f': true}

func (w *textWriter) flushSpace() {
	if w.space && w.nl == 0 && len(w.b) > 0 {
		w.b = append(w.b, ' ')
	}
	w.space = false
}

func (w *textWriter) block() {
	w.space = false
	if len(w.b) > 0 && w.nl == 0 {
		w.b = append(w.b, '\n')
		w.nl = 1
	}
}

func (w *textWriter) para() {
	w.block()
	if len(w.b) > 0 && w.nl < 2 {
		w.b = append(w.b, '\n')
		w.nl = 2
	}
}

func (w *textWriter) lineBreak() {
	w.space = false
	if w.nl < 2 {
		w.b = append(w.b, '\n')
		w.nl++
	}
}

// lastLine returns the last non-blank line written so far.
func (w *textWriter) lastLine() string {
	s := w.b
	if len(s) > 300 {
		s = s[len(s)-300:]
	}
	s = bytes.TrimRight(s, " \n")
	if i := bytes.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return string(s)
}
