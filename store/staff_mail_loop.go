package store

import (
	"context"
	"fmt"
	"time"
)

// StaffMailCount counts the answers by mail that came to staffID's reply
// addresses within the last `within`: those written as theirs (replies and
// notes) and those held (counted by their audit entry, as the held note's
// author is whoever the From names). The inbound pipeline holds more than its cap, so a
// loop between two mailboxes' auto-replies ends.
func (db *DB) StaffMailCount(ctx context.Context, staffID int64, within time.Duration) (int, error) {
	since := db.Now().Add(-within)
	var n int
	err := db.X.GetContext(ctx, &n, db.q(`SELECT
		(SELECT COUNT(*) FROM messages WHERE author_id = ? AND source = 'email' AND kind <> 'inbound' AND flag <> ? AND inbound_mail_id IS NOT NULL AND created_at >= ?)
		+ (SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor_id = ? AND created_at >= ?)`),
		staffID, FlagHeld, since, AuditMailHeld, staffID, since)
	if err != nil {
		return 0, fmt.Errorf("store: count staff mail: %w", err)
	}
	return n, nil
}
