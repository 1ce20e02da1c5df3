package store

import (
	"context"
	"fmt"
	"time"
)

// StaffMailCounts counts the answers by mail that came to staffID's reply
// addresses within the last `within`: own are those written as theirs
// (replies and notes, proven to be from them), held those held for a look
// (counted by their audit entry: a held note's author is whoever the From
// names). The inbound pipeline caps each, so a loop between two mailboxes'
// auto-replies ends, and a flood of unproven mail cannot silence the staff
// member's own answers.
func (db *DB) StaffMailCounts(ctx context.Context, staffID int64, within time.Duration) (own, held int, err error) {
	since := db.Now().Add(-within)
	var n struct {
		Own  int `db:"own"`
		Held int `db:"held"`
	}
	err = db.X.GetContext(ctx, &n, db.q(`SELECT
		(SELECT COUNT(*) FROM messages WHERE author_id = ? AND source = 'email' AND kind <> 'inbound' AND flag <> ? AND inbound_mail_id IS NOT NULL AND created_at >= ?) AS own,
		(SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ? AND created_at >= ?) AS held`),
		staffID, FlagHeld, since, AuditMailHeld, staffID, since)
	if err != nil {
		return 0, 0, fmt.Errorf("store: count staff mail: %w", err)
	}
	return n.Own, n.Held, nil
}
