// Package mailparse is the pure MIME work of inbound: it parses raw
// messages, reads their header fields and addresses, strips quoted history
// and signatures, and sanitizes HTML. It holds no state and imports neither
// the database, AWS nor metrics (a test checks), so web can show mail with
// it and the pipeline (package inbound) and the transport
// (inbound/transport) share its Envelope and Result types.
//
// Parse is best effort and never fails on malformed mail. The MIME work is
// go-message's: header fields (textproto.ReadHeader), multipart parts
// (textproto.MultipartReader), Content-Type and Content-Disposition
// parameters with RFC 2231, transfer encodings and charsets (message.New),
// encoded words and addresses. What is ours is the tolerance around it: a
// pre-pass that drops junk header lines and reads 8-bit header bytes before
// go-message sees them (also for part headers go-message rejected), keeping
// the parts read when a closing boundary is missing, and lenient decoders
// that take over when go-message stops on damaged base64 or quoted-printable
// or an unknown charset. Each costs only the broken piece, noted in
// Mail.Problems. Parse stops at the limits of parse_limits.go (MIME parts,
// attachments, header fields) instead of going through a hostile mail, and
// names the limit in Mail.Overflow for the pipeline to quarantine it.
//
// The visible part of a reply comes from two paths. VisibleText cuts plain
// text at the first attribution line (also Zoho's "---- On … wrote ----"
// and Yahoo's one-line form), Outlook header block (with the dash or
// underscore rule above it), original-message separator or trailing ">"
// block. Interleaved answers stay with the quotes they answer; only the
// trailing quote block goes. A signature that ends what is left goes too: the
// last "-- " block of a few lines, and one client's sign-off line ("Sent
// from my iPhone", "Von meinem iPhone gesendet", "Get Outlook for iOS"…)
// standing on its own line, the line ending with the device or app. A reply
// that is nothing but quotes (and perhaps one sign-off) has an empty visible
// text, shown as "(no new text)"; Text always keeps the whole mail. When the mail also has HTML with a quote
// container that a client put there (Gmail's gmail_quote, Apple and
// Thunderbird's blockquote type=cite, Outlook's divRplyFwdMsg, Yahoo's
// yahoo_quoted), that structural cut is the more reliable one: the text/plain
// cut is kept when it agrees with it (about the same words), so the
// sender's own line breaks survive, or when it kept interleaved answers
// below ">" lines (Gmail puts those inside its quote container); otherwise
// the HTML-derived text wins. An HTML-only mail that is all one quote
// container has no visible text unless a forward marker is in it.
// Forwards (Fwd:, WG:, TR:… subjects, or a forward marker before any quote)
// are content and stay whole.
package mailparse
