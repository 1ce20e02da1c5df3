package store

import (
	"context"
	"fmt"
	"time"
)

// EmailStaffDigest is one mail to a staff member about several tickets:
// what a burst across tickets (twenty new tickets in a minute) becomes
// once DigestAfter notices went out within NoticeWait. It carries no
// reply address of its own when it covers several tickets.
const EmailStaffDigest = "staff_digest"

// DigestAfter is how many notice mails a staff member gets within
// NoticeWait before further news about other tickets waits in one digest.
const DigestAfter = 3

// heldDigest returns the digest mail that news for u joins instead of a
// notice of its own: none (ok false) while u got fewer than DigestAfter
// notices within the window, else the digest still held in the outbox, or
// a new one held NoticeWait. A held answer by mail is always told on its own.
func (tx *Tx) heldDigest(ctx context.Context, u User, n notice, now time.Time) (int64, bool, error) {
	wait := tx.db.NoticeWait
	if wait <= 0 || n.kind == NoticeHeld {
		return 0, false, nil
	}
	var recent int
	err := tx.GetContext(ctx, &recent, tx.q(`SELECT COUNT(*) FROM emails WHERE user_id = ? AND kind = ? AND created_at > ?`),
		u.ID, EmailStaffNotice, now.Add(-wait))
	if err != nil {
		return 0, false, fmt.Errorf("store: staff digest: %w", err)
	}
	if recent < DigestAfter {
		return 0, false, nil
	}
	var held []int64
	err = tx.SelectContext(ctx, &held, tx.q(`SELECT e.id FROM emails e JOIN outbox o ON o.email_id = e.id
		WHERE e.user_id = ? AND e.kind = ? AND e.status = ? AND o.relayed_at IS NULL AND o.not_before > ?
		ORDER BY e.id DESC LIMIT 1`+tx.lockOutbox()), u.ID, EmailStaffDigest, EmailQueued, now.Add(UndoMargin))
	if err != nil {
		return 0, false, fmt.Errorf("store: staff digest: %w", err)
	}
	if len(held) > 0 {
		return held[0], true, nil
	}
	uid := u.ID
	id, _, err := tx.queueEmail(ctx, QueuedEmail{UserID: &uid, To: u.Email, Kind: EmailStaffDigest,
		Subject: "News on several tickets", Auto: true, NotBefore: now.Add(wait)})
	return id, err == nil, err
}
