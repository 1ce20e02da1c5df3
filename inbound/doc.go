// Package inbound is the edge where mail enters Dargo: it parses raw
// messages, strips quoted history and routes the result to tickets.
//
// Parse is best effort and never fails on malformed mail: it walks the MIME
// tree itself on top of go-message's header, address and charset support, so
// that junk header lines, missing boundaries, damaged base64 and wrong
// charset labels cost only the broken piece, noted in Mail.Problems.
//
// The visible part of a reply comes from two paths. VisibleText cuts plain
// text at the first attribution line, Outlook header block, original-message
// separator or trailing ">" block. When the mail also has HTML with a quote
// container that a client put there (Gmail's gmail_quote, Apple and
// Thunderbird's blockquote type=cite, Outlook's divRplyFwdMsg, Yahoo's
// yahoo_quoted), that structural cut is the more reliable one: the text/plain
// cut is kept only when it agrees with it (about the same words), so the
// sender's own line breaks survive; otherwise the HTML-derived text wins.
// Forwards (Fwd:, WG:, TR:… subjects, or a forward marker before any quote)
// are content and stay whole.
package inbound
