package store

import (
	"context"
	"fmt"
	"strings"
)

// CanonicalID is the form a Message-ID is stored and compared in. SES
// replaces the Message-ID of every mail it sends with
// <MessageId@email.amazonses.com> in us-east-1 and
// <MessageId@<region>.amazonses.com> elsewhere; replies must thread
// whichever host they quote, so every amazonses.com host folds into one.
func CanonicalID(id string) string {
	id = strings.Trim(strings.TrimSpace(id), "<>")
	at := strings.LastIndexByte(id, '@')
	if at < 0 {
		return id
	}
	host := strings.ToLower(id[at+1:])
	if host == "amazonses.com" || strings.HasSuffix(host, ".amazonses.com") {
		return id[:at] + "@amazonses.com"
	}
	return id
}

func canonicalIDs(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = CanonicalID(id)
	}
	return out
}

// SESMessageID is the Message-ID header SES gives a mail it sent with this
// SES MessageId, in canonical form.
func SESMessageID(sesID string) string { return sesID + "@amazonses.com" }

// RecordThreadID records a Message-ID among a ticket's thread ids (origin
// inbound, minted or ses); an id already known is left as it is.
func (db *DB) RecordThreadID(ctx context.Context, ticketID int64, id, origin string) error {
	return db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.addThreadID(ctx, ticketID, id, origin, db.Now())
		return err
	})
}

// ThreadIDs returns a ticket's thread ids, oldest first, at most limit of
// the newest.
func (db *DB) ThreadIDs(ctx context.Context, ticketID int64, limit int) ([]string, error) {
	var ids []string
	err := db.X.SelectContext(ctx, &ids, db.q(`SELECT message_id FROM (
		SELECT message_id, created_at FROM thread_ids WHERE ticket_id = ? ORDER BY created_at DESC, message_id LIMIT ?) t
		ORDER BY created_at, message_id`), ticketID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: thread ids: %w", err)
	}
	return ids, nil
}

// ThreadIDExists reports whether a Message-ID was seen or sent before.
func (db *DB) ThreadIDExists(ctx context.Context, id string) (bool, error) {
	var n int
	if err := db.X.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM thread_ids WHERE message_id = ?`), CanonicalID(id)); err != nil {
		return false, fmt.Errorf("store: thread id exists: %w", err)
	}
	return n > 0, nil
}
