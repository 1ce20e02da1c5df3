package mailparse

// The helpers below are used by the pipeline (package inbound) too. They are
// exported here, as thin wrappers, so that the files they live in kept their
// code as it was when mailparse was split out of inbound.

// NormalizeNewlines turns CRLF and lone CR into LF.
func NormalizeNewlines(s string) string { return normalizeNewlines(s) }
