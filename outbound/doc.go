// Package outbound composes Dargo's mail and hands it to a sender.
//
// Build turns an emails row (with its ticket, reply and thread) into a Mail
// from embedded templates (text/template for the text part, html/template
// for the HTML part, one shared layout, parsed once at init); BuildMagicLink
// does the same for a login link. Compose renders a Mail as MIME with
// emersion's go-message, with threading headers, the [#N] subject tag and a
// Reply-To carrying the ticket's reply token. Everything a user can choose
// (subject, names, filenames, thread ids) is cut to one clean line before it
// reaches a header, and bodies are quoted-printable or base64, so no line is
// longer than 998 octets. Senders deliver the bytes: SES v2 in production,
// the dev outbox in `dargo dev`. Every failure is classified: temporary by
// default, PermanentError for what retrying cannot fix.
package outbound
