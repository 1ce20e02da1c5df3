// Package outbound composes Dargo's mail and hands it to a sender.
//
// Build turns an emails row (with its ticket, reply and thread) into a Mail
// from embedded templates; Compose renders a Mail as MIME with emersion's
// go-message, with threading headers, the [#N] subject tag and a Reply-To
// carrying the ticket's reply token. Senders deliver the bytes: SES v2 in
// production, the dev outbox in `dargo dev`. Every failure is classified:
// temporary by default, PermanentError for what retrying cannot fix.
package outbound
