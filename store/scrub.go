package store

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// scrubber replaces one erased person's address and full name where others'
// words mention them. It is deliberately narrow: a name is hostile input (a
// participant can call themselves `"` or "the and"), and erasing one person
// must never rewrite what somebody else said.
//
//   - The address goes wherever it stands whole, in any case (and so do the
//     addresses the account had before a change).
//   - The name goes only as the whole name, between word boundaries, and
//     only when it has at least 3 letters and at least one word that is not
//     a common word: "Al", `"`, "Help" or "Thank You" are never replaced.
//     Single words of the name are never replaced on their own, so "Hello
//     Zelda" stays when the name was "Zelda Quixote".
//   - In HTML only text nodes are touched (and the address inside attribute
//     values, such as href="mailto:…", which is the person's data and is
//     rewritten as a parsed value, never as markup).
type scrubber struct {
	addr *regexp.Regexp
	name *regexp.Regexp // nil: the name is too short or too common to replace
}

// newScrubber scrubs the addresses (the person's current one and any they
// had before) and the name.
func newScrubber(emails []string, name string) *scrubber {
	alts := make([]string, 0, len(emails))
	for _, e := range emails {
		if e = strings.TrimSpace(e); e != "" {
			alts = append(alts, regexp.QuoteMeta(e))
		}
	}
	s := &scrubber{addr: regexp.MustCompile(`(?i)` + strings.Join(alts, "|"))}
	if words := nameWords(name); words != nil {
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = regexp.QuoteMeta(w)
		}
		s.name = regexp.MustCompile(`(?i)` + strings.Join(quoted, `\s+`))
	}
	return s
}

// nameWords is the name as the words to look for, or nil when it must not
// be looked for: fewer than 3 letters, or only common words.
func nameWords(name string) []string {
	name = strings.TrimFunc(name, func(r rune) bool { return !isWordRune(r) })
	words := strings.Fields(name)
	letters, uncommon := 0, false
	for _, w := range words {
		for _, r := range w {
			if unicode.IsLetter(r) {
				letters++
			}
		}
		if !commonWords[strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return !isWordRune(r) }))] {
			uncommon = true
		}
	}
	if letters < 3 || !uncommon {
		return nil
	}
	return words
}

// text scrubs plain text.
func (s *scrubber) text(in string) string {
	out := replaceWhole(in, s.addr, addrBoundary)
	if s.name != nil {
		out = replaceWhole(out, s.name, wordBoundary)
	}
	return out
}

// html scrubs a sanitized HTML fragment: text nodes, and the address in
// attribute values. Markup is never matched against the name; a fragment
// with nothing to scrub comes back byte for byte.
func (s *scrubber) html(in string) string {
	if in == "" || !s.mightMatch(html.UnescapeString(in)) {
		return in
	}
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(in), body)
	if err != nil {
		return erasedText // cannot be read safely: keep nothing of it
	}
	changed := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			if t := s.text(n.Data); t != n.Data {
				n.Data, changed = t, true
			}
		case html.ElementNode:
			for i, a := range n.Attr {
				if v := replaceWhole(a.Val, s.addr, addrBoundary); v != a.Val {
					n.Attr[i].Val, changed = v, true
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	if !changed {
		return in
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return erasedText
		}
	}
	return b.String()
}

// mightMatch is a cheap test before parsing: could anything in s be scrubbed?
func (s *scrubber) mightMatch(in string) bool {
	return s.addr.MatchString(in) || (s.name != nil && s.name.MatchString(in))
}

// replaceWhole replaces every match of re in s that boundary accepts with
// erasedText.
func replaceWhole(s string, re *regexp.Regexp, boundary func(s string, start, end int) bool) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if !boundary(s, m[0], m[1]) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(erasedText)
		last = m[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// wordBoundary: the match is not part of a longer word ("Ada" in "Adam").
func wordBoundary(s string, start, end int) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:start])
	after, _ := utf8.DecodeRuneInString(s[end:])
	return !isWordRune(before) && !isWordRune(after)
}

// addrBoundary: the match is not part of a longer address
// ("ada@example.com" in "bada@example.com" or "ada@example.com.au"); a
// full stop that ends the sentence is not part of it.
func addrBoundary(s string, start, end int) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:start])
	after, size := utf8.DecodeRuneInString(s[end:])
	if isWordRune(before) || strings.ContainsRune(".%+-'", before) {
		return false
	}
	if after == '.' {
		after, _ = utf8.DecodeRuneInString(s[end+size:])
	}
	return !isWordRune(after) && after != '-'
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}
