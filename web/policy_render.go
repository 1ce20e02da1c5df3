package web

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Policies are written in Markdown (goldmark, CommonMark with GitHub's
// tables and autolinks) and shown only after bluemonday's UGC policy has
// sanitized the HTML: goldmark already drops raw HTML and javascript:
// links, and the sanitizer is the rule that holds whatever the renderer's
// options become. Both are safe for concurrent use once built.
var (
	markdown    = goldmark.New(goldmark.WithExtensions(extension.GFM))
	policyHTML  = bluemonday.UGCPolicy()
	errMarkdown = template.HTML("<p>This text could not be shown.</p>")
)

// renderMarkdown turns a policy's Markdown into sanitized HTML.
func renderMarkdown(text string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(text), &buf); err != nil {
		return errMarkdown
	}
	return template.HTML(policyHTML.SanitizeBytes(buf.Bytes())) // #nosec G203 -- sanitized by bluemonday's UGC policy
}
