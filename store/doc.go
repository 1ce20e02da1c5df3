// Package store keeps Dargo's data in PostgreSQL or SQLite through sqlx.
//
// The same SQL runs on both wherever the dialects agree: queries are written
// with '?' placeholders and rebound for PostgreSQL, times are passed in from Go
// in UTC (never the database's clock), and RETURNING and ON CONFLICT are used
// in the subset both engines understand. Where the dialects differ (ticket
// numbers, schema types) the code says so next to the query. Migrations are
// embedded, numbered, one transaction each, with one directory per dialect.
//
// Large payloads (raw inbound mail, attachments) go through the Blobs
// interface; the default implementation keeps them in the blobs table.
package store
