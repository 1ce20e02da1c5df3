package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
)

// ticketRowsUpsert recomputes the ticket_rows of the tickets t matching a
// condition (appended after "WHERE "): what an inbox row shows of a
// ticket's messages (see rowDetails), kept beside the ticket so that a
// list page reads it by key instead of looking through each ticket's
// messages. It is recomputed from the messages themselves, in the same
// transaction as every change to them: a message added, a reply undone, a
// person's text erased or a message scrubbed.
var ticketRowsUpsert = `INSERT INTO ticket_rows (ticket_id, messages, last_id, last_kind, last_at, preview, last_inbound_id)
	SELECT t.id,
		(SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id AND m.kind <> 'note'),
		l.id, COALESCE(l.kind, ''), l.created_at, COALESCE(substr(l.visible_text, 1, ` + strconv.Itoa(previewScan) + `), ''),
		COALESCE((SELECT m.id FROM messages m WHERE m.ticket_id = t.id AND m.kind = 'inbound' ORDER BY m.id DESC LIMIT 1), 0)
	FROM tickets t
	LEFT JOIN messages l ON l.id = (SELECT m.id FROM messages m WHERE m.ticket_id = t.id AND m.kind <> 'note' ORDER BY m.id DESC LIMIT 1)
	WHERE `

const ticketRowsConflict = `
	ON CONFLICT (ticket_id) DO UPDATE SET messages = excluded.messages, last_id = excluded.last_id,
		last_kind = excluded.last_kind, last_at = excluded.last_at, preview = excluded.preview,
		last_inbound_id = excluded.last_inbound_id`

// refreshRows recomputes the ticket_rows of the tickets t matching cond
// (SQL over tickets t, with '?' placeholders for args).
func (db *DB) refreshRows(ctx context.Context, x sqlx.ExecerContext, cond string, args ...any) error {
	if _, err := x.ExecContext(ctx, db.q(ticketRowsUpsert+cond+ticketRowsConflict), args...); err != nil {
		return fmt.Errorf("store: ticket rows: %w", err)
	}
	return nil
}

// refreshRow recomputes one ticket's row, in the transaction that changed
// its messages.
func (tx *Tx) refreshRow(ctx context.Context, ticketID int64) error {
	// Two transactions adding messages to one ticket at once must not
	// each write a row that misses the other's message: on PostgreSQL the
	// ticket is locked first, so the second waits and then (READ
	// COMMITTED: a fresh snapshot per statement) sees the first's
	// message. SQLite has one writer at a time.
	if tx.db.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT id FROM tickets WHERE id = $1 FOR NO KEY UPDATE`, ticketID); err != nil {
			return fmt.Errorf("store: ticket rows: lock: %w", err)
		}
	}
	return tx.db.refreshRows(ctx, tx, `t.id = ?`, ticketID)
}
