package mailparse

// The helpers below are used by the pipeline (package inbound) too. They are
// exported here, as thin wrappers, so that the files they live in kept their
// code as it was when mailparse was split out of inbound.

// NormalizeNewlines turns CRLF and lone CR into LF.
func NormalizeNewlines(s string) string { return normalizeNewlines(s) }

// DSNAddress strips a DSN address's type ("rfc822;") and angle brackets and
// lower-cases it.
func DSNAddress(s string) string { return dsnAddress(s) }

// ParseAddressList parses an address header leniently (see Parse), adding
// what it had to guess to problems.
func ParseAddressList(s string, problems *[]string) []Address {
	return parseAddressList(s, problems)
}
