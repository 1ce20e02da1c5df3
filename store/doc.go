// Package store keeps Dargo's data in PostgreSQL or SQLite through sqlx.
//
// The same SQL runs on both wherever the dialects agree: queries are written
// with '?' placeholders and rebound for PostgreSQL, times are passed in from Go
// in UTC (never the database's clock), and RETURNING and ON CONFLICT are used
// in the subset both engines understand. Where the dialects differ (ticket
// numbers, row locks, the search index: FTS5 tables on SQLite, expression
// indexes on PostgreSQL) the code says so next to the query. Migrations are
// embedded, numbered, one transaction each, with one directory per dialect;
// a test checks that both dialects end with the same tables and columns.
//
// Files group functions by what they are about: users.go, tickets.go,
// thread.go (messages and attachments), participants.go, emails.go and
// sending.go (mail to people), outbox.go (the transactional outbox the
// relay hands to the queue), and one file per feature beyond those.
// The values of enumerated columns (ticket statuses, priorities, roles,
// message kinds and sources) are the constants in enums.go and beside their
// feature (Email*, Audit*, Queue*). Writes that go together run in one
// InTx transaction; a row that is not there is ErrNotFound.
//
// Large payloads (raw inbound mail, attachments) go through the Blobs
// interface: by default chunked into the blobs table, so they commit with
// the row that points at them; an object store (internal/s3blob) may stand
// in.
package store
