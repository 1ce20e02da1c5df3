package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// rowDetails is what an inbox row says besides the ticket's own fields: a
// preview of its newest message, whether the customer is waiting, and
// whether the viewer has unread customer messages. The newest message is
// the newest customer or staff message; internal notes are left out, as
// they are not the conversation.
type rowDetails struct {
	LastKind      string     `db:"last_kind"` // of the newest message: inbound, outbound or "" (none)
	LastAt        *time.Time `db:"last_at"`
	LastID        *int64     `db:"last_id"`
	Preview       string     `db:"preview"` // its text, one line of at most previewRunes
	LastInboundID int64      `db:"last_inbound_id"`
	ReadID        int64      `db:"read_id"` // the highest message the viewer was shown
	// Snippet, in search results, is the text that matched.
	Snippet *Snippet `db:"-"`
}

// WaitingSince is when the customer's last message came, while the
// customer waits on the team: the ticket is open and nothing was answered
// since. Nil otherwise.
func (r rowDetails) WaitingSince() *time.Time {
	if r.LastKind != MessageInbound {
		return nil
	}
	return r.LastAt
}

// Unread reports whether the ticket has a customer message (from its
// customer or a Cc) the viewer has not been shown.
func (r rowDetails) Unread() bool { return r.LastInboundID > r.ReadID }

// Waiting is WaitingSince for open tickets only: a pending ticket waits on
// its customer, a resolved or closed one on no one.
func (r InboxRow) Waiting() *time.Time {
	if r.Status != StatusOpen {
		return nil
	}
	return r.WaitingSince()
}

const (
	// previewRunes is the longest preview, before it is cut with "…".
	previewRunes = 140
	// previewScan is how much of a message the database hands over for a
	// preview: enough to fill one after white space is folded.
	previewScan = 600
)

// previewLine folds a message's white space into single spaces and cuts it
// to previewRunes.
func previewLine(text string) string {
	line := strings.Join(strings.Fields(text), " ")
	if r := []rune(line); len(r) > previewRunes {
		return strings.TrimRightFunc(string(r[:previewRunes]), unicode.IsSpace) + "…"
	}
	return line
}

// MarkRead records that the staff member was shown the ticket's messages up
// to messageID. The marker only moves forward: a page rendered earlier but
// recorded later does not make newer messages read again. A marker already
// there is left alone without a write: opening a ticket again is the common
// case, and even a no-op ON CONFLICT update locks the row, so that many
// openings of one ticket at once queued on it (32 clients: 110–130 ms each).
func (db *DB) MarkRead(ctx context.Context, ticketID, userID, messageID int64) error {
	_, err := db.X.ExecContext(ctx, db.q(`INSERT INTO ticket_reads (user_id, ticket_id, message_id, read_at)
		SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM ticket_reads WHERE user_id = ? AND ticket_id = ? AND message_id >= ?)
		ON CONFLICT (user_id, ticket_id) DO UPDATE SET message_id = excluded.message_id, read_at = excluded.read_at
		WHERE ticket_reads.message_id < excluded.message_id`),
		userID, ticketID, messageID, db.Now(), userID, ticketID, messageID)
	if err != nil {
		return fmt.Errorf("store: mark read: %w", err)
	}
	return nil
}
