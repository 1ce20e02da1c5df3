package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// stageFiles returns the blob keys of files and, when blobs live outside
// the database, writes their bytes now (an object store cannot join the
// transaction; content addressing makes a rolled-back one leave at most an
// orphan).
func (db *DB) stageFiles(ctx context.Context, files []NewAttachment) ([]string, error) {
	keys := make([]string, len(files))
	inDB := db.blobsInDB()
	for i, f := range files {
		keys[i] = BlobKey("att", f.Data)
		if inDB == nil {
			if err := db.Blobs.Put(ctx, keys[i], f.Data); err != nil {
				return nil, fmt.Errorf("store: attachment: %w", err)
			}
		}
	}
	return keys, nil
}

// addFiles writes files for a message: their bytes, when blobs live in the
// database, in key order and once each (transactions that share files then
// lock the same rows in the same order instead of deadlocking), and their
// attachments rows.
func (tx *Tx) addFiles(ctx context.Context, messageID int64, files []NewAttachment, keys []string, now time.Time) error {
	if inDB := tx.db.blobsInDB(); inDB != nil {
		order := make([]int, len(keys))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(keys[a], keys[b]) })
		for n, i := range order {
			if n > 0 && keys[i] == keys[order[n-1]] {
				continue
			}
			if err := inDB.putTx(ctx, tx, keys[i], files[i].Data); err != nil {
				return err
			}
		}
	}
	for i, f := range files {
		_, err := tx.ExecContext(ctx, tx.q(`INSERT INTO attachments (message_id, filename, content_type, content_id, inline, size, blob_key, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), messageID, f.Filename, f.ContentType, f.ContentID, f.Inline, len(f.Data), keys[i], now)
		if err != nil {
			return fmt.Errorf("store: attachment: %w", err)
		}
	}
	return nil
}
