package store

import (
	"context"
	"errors"
	"fmt"
)

// Held mail is inbound mail the pipeline quarantined (too large, a spam or
// virus verdict, unreadable): it waits, bytes and all, for an admin to
// release or delete it, or for retention to drop its bytes.

// HeldDeleted is the action of a held mail an admin deleted.
const HeldDeleted = "deleted"

// HeldMail lists held (quarantined) inbound mail whose bytes are still
// stored, newest first.
func (db *DB) HeldMail(ctx context.Context, limit int) ([]InboundMail, error) {
	var out []InboundMail
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM inbound_mail WHERE status = 'quarantined' AND blob_key <> ''
		ORDER BY received_at DESC, id DESC LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: list held mail: %w", err)
	}
	return out, nil
}

// DeleteHeldMail deletes a held mail for good: its bytes go, its row stays
// as the record that it arrived (processed, action "deleted", sender and
// recipients emptied), and the audit log says which admin deleted it. A mail
// that is not held (released, deleted, or its bytes swept) is ErrNotFound.
func (db *DB) DeleteHeldMail(ctx context.Context, id, actorID int64) error {
	// Bytes first, as retention does: a crash in between leaves a row that
	// is no longer listed, never bytes nobody points at.
	n, err := db.dropRaw(ctx, 1, `SELECT id, blob_key FROM inbound_mail
		WHERE id = ? AND status = 'quarantined' AND blob_key <> '' LIMIT ?`, id)
	if err != nil {
		return fmt.Errorf("store: delete held mail %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: delete held mail %d: %w", id, ErrNotFound)
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		err := tx.finishInbound(ctx, id, Outcome{Status: "processed", Action: HeldDeleted, Reason: "deleted by an admin"})
		if errors.Is(err, ErrProcessed) {
			return nil // released at the same moment; its bytes are gone now all the same
		}
		if err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditHeldDelete, Detail: map[string]any{"inbound_mail": id}})
	})
	if err != nil {
		return fmt.Errorf("store: delete held mail %d: %w", id, err)
	}
	return nil
}
