package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// undoFile is one file of a reply being undone, with its bytes, to be
// staged again under the author's draft.
type undoFile struct {
	ID          int64  `db:"id"`
	Filename    string `db:"filename"`
	ContentType string `db:"content_type"`
	BlobKey     string `db:"blob_key"`
	stageKey    string
	data        []byte
}

// undoFiles reads the files of the reply that action id wrote, while the
// action may still be undone, and returns them with their bytes (nil for
// a status change, someone else's action, or one too late: Undo then says
// so). When blobs live outside the database their staged copies are put
// now, as StageFiles does: an object store cannot join the transaction.
func (db *DB) undoFiles(ctx context.Context, id, actorID int64) ([]undoFile, error) {
	var files []undoFile
	err := db.X.SelectContext(ctx, &files, db.q(`SELECT f.id, f.filename, f.content_type, f.blob_key FROM undo_actions a
		JOIN attachments f ON f.message_id = a.message_id
		WHERE a.id = ? AND a.actor_id = ? AND a.undone_at IS NULL AND a.not_before > ? ORDER BY f.id`), id, actorID, db.Now())
	if err != nil {
		return nil, fmt.Errorf("store: undo: files: %w", err)
	}
	inDB := db.blobsInDB()
	for i := range files {
		f := &files[i]
		if f.data, err = db.Blobs.Get(ctx, f.BlobKey); err != nil {
			return nil, fmt.Errorf("store: undo: file %d: %w", f.ID, err)
		}
		f.stageKey = BlobKey("stage", f.data)
		if inDB == nil {
			if err := db.Blobs.Put(ctx, f.stageKey, f.data); err != nil {
				return nil, fmt.Errorf("store: undo: file %d: %w", f.ID, err)
			}
		}
	}
	return files, nil
}

// dropUndoFiles deletes the staged copies undoFiles put in an object store
// when the undo did not commit, unless a staged file holds the same bytes.
func (db *DB) dropUndoFiles(ctx context.Context, files []undoFile) {
	if db.blobsInDB() != nil || len(files) == 0 {
		return
	}
	rows := make([]blobRow, len(files))
	for i, f := range files {
		rows[i] = blobRow{Key: f.stageKey} // ID 0: no row of ours holds it
	}
	_ = db.deleteBlobs(ctx, "staged_files", rows) // at worst an orphan, as after a rolled-back StageFiles
}

// restoreReply gives the author back a reply being undone, inside Undo's
// transaction, before the reply and its attachments rows are deleted: its
// text becomes their reply draft on the ticket and its files (read by
// undoFiles) their staged files. A draft they started since is kept, after
// the reply's text; it reports whether there was one.
func (tx *Tx) restoreReply(ctx context.Context, actorID, ticketID, messageID int64, text string, files []undoFile, now time.Time) (bool, error) {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, tx.q(`SELECT id FROM attachments WHERE message_id = ? ORDER BY id`), messageID); err != nil {
		return false, fmt.Errorf("store: undo: files: %w", err)
	}
	if len(ids) != len(files) {
		return false, errors.New("store: undo: the reply's files changed while it was undone")
	}
	if inDB := tx.db.blobsInDB(); inDB != nil {
		// In key order, once each, like addFiles: no deadlock with a
		// transaction that stages the same files.
		order := slices.Clone(files)
		slices.SortFunc(order, func(a, b undoFile) int { return cmp.Compare(a.stageKey, b.stageKey) })
		for i, f := range order {
			if i > 0 && f.stageKey == order[i-1].stageKey {
				continue
			}
			if err := inDB.putTx(ctx, tx, f.stageKey, f.data); err != nil {
				return false, err
			}
		}
	}
	for i, f := range files {
		if f.ID != ids[i] {
			return false, errors.New("store: undo: the reply's files changed while it was undone")
		}
		if _, err := tx.ExecContext(ctx, tx.q(`INSERT INTO staged_files (user_id, ticket_id, filename, content_type, size, blob_key, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`), actorID, ticketID, f.Filename, f.ContentType, len(f.data), f.stageKey, now); err != nil {
			return false, fmt.Errorf("store: undo: stage file: %w", err)
		}
	}
	var since []string
	if err := tx.SelectContext(ctx, &since, tx.q(`SELECT text FROM drafts WHERE user_id = ? AND ticket_id = ?`), actorID, ticketID); err != nil {
		return false, fmt.Errorf("store: undo: draft: %w", err)
	}
	kept := len(since) == 1 && since[0] != "" && since[0] != text
	if kept {
		text += "\n\n" + since[0]
	}
	if _, err := tx.ExecContext(ctx, tx.q(`INSERT INTO drafts (user_id, ticket_id, kind, subject, text, updated_at) VALUES (?, ?, ?, '', ?, ?)
		ON CONFLICT (user_id, ticket_id) DO UPDATE SET kind = excluded.kind, subject = '', text = excluded.text, updated_at = excluded.updated_at`),
		actorID, ticketID, DraftReply, text, now); err != nil {
		return false, fmt.Errorf("store: undo: draft: %w", err)
	}
	return kept, nil
}

// UndoKept is how long undo_actions and reply_keys rows are kept: an
// action is undoable for DARGO_UNDO_SECONDS and a form's key guards
// against a resent post; a day is far past both.
const UndoKept = 24 * time.Hour

// SweepUndo names the sweep of old undo_actions and reply_keys.
const SweepUndo = "undo"

// SweepOldUndos deletes undo_actions and reply_keys rows created more than
// keep ago and returns how many went. An undo action whose mail still waits
// is never older than the undo window, so keep must exceed it.
func (db *DB) SweepOldUndos(ctx context.Context, keep time.Duration, batch int) (int64, error) {
	cutoff := db.Now().Add(-keep)
	actions, err := db.repeat(ctx, batch, `DELETE FROM undo_actions WHERE id IN
		(SELECT id FROM undo_actions WHERE created_at <= ? AND not_before <= ? LIMIT ?)`, cutoff, cutoff)
	if err != nil {
		return actions, fmt.Errorf("store: sweep undos: %w", err)
	}
	keys, err := db.repeat(ctx, batch, `DELETE FROM reply_keys WHERE (user_id, idem_key) IN
		(SELECT user_id, idem_key FROM reply_keys WHERE created_at <= ? LIMIT ?)`, cutoff)
	if err != nil {
		return actions + keys, fmt.Errorf("store: sweep undos: %w", err)
	}
	return actions + keys, nil
}
