package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Blobs keeps large byte payloads (raw mail, attachments) under string keys.
// Keys are content addresses, so Put is idempotent.
type Blobs interface {
	Put(ctx context.Context, key string, data []byte) error
	Get(ctx context.Context, key string) ([]byte, error)
	Delete(ctx context.Context, key string) error
}

// BlobKey returns the content address of data under a prefix, e.g. "raw/<sha256>".
func BlobKey(prefix string, data []byte) string {
	sum := sha256.Sum256(data)
	return prefix + "/" + hex.EncodeToString(sum[:])
}

// blobChunk is the most bytes one blobs row holds. Drivers copy a bound value
// (modernc into C memory, pgx into its write buffer), so chunks keep a 40 MB
// mail from costing another 40 MB per copy.
const blobChunk = 1 << 20

// dbBlobs keeps blobs in the blobs table.
type dbBlobs struct{ db *DB }

var _ Blobs = (*dbBlobs)(nil)

func (b *dbBlobs) Put(ctx context.Context, key string, data []byte) error {
	return b.db.InTx(ctx, func(tx *Tx) error { return b.putTx(ctx, tx, key, data) })
}

// putTx writes a blob inside a caller's transaction, so a row and the bytes
// it points at commit together (one commit, one fsync).
func (b *dbBlobs) putTx(ctx context.Context, tx *Tx, key string, data []byte) error {
	now := b.db.Now()
	for seq, off := 0, 0; off < len(data) || seq == 0; seq, off = seq+1, off+blobChunk {
		chunk := data[off:min(off+blobChunk, len(data))]
		_, err := tx.ExecContext(ctx, tx.q(`INSERT INTO blobs (key, seq, size, data, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (key, seq) DO NOTHING`), key, seq, len(data), chunk, now)
		if err != nil {
			return fmt.Errorf("store: put blob %s: %w", key, err)
		}
	}
	return nil
}

// blobsInDB reports whether blobs live in this database, so their writes
// can join a row's transaction. An object store cannot join one: callers put
// those bytes before the transaction, and content addressing makes a
// rolled-back transaction leave at most a harmless orphan.
func (db *DB) blobsInDB() *dbBlobs {
	if b, ok := db.Blobs.(*dbBlobs); ok && b.db == db {
		return b
	}
	return nil
}

func (b *dbBlobs) Get(ctx context.Context, key string) ([]byte, error) {
	rows, err := b.db.X.QueryContext(ctx, b.db.q(`SELECT size, data FROM blobs WHERE key = ? ORDER BY seq`), key)
	if err != nil {
		return nil, fmt.Errorf("store: get blob %s: %w", key, err)
	}
	defer rows.Close()
	var out []byte
	found := false
	for rows.Next() {
		var size int64
		var chunk []byte
		if err := rows.Scan(&size, &chunk); err != nil {
			return nil, fmt.Errorf("store: get blob %s: %w", key, err)
		}
		if !found {
			out, found = make([]byte, 0, size), true
		}
		out = append(out, chunk...)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: get blob %s: %w", key, err)
	}
	if !found {
		return nil, fmt.Errorf("store: get blob %s: %w", key, ErrNotFound)
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

func (b *dbBlobs) Delete(ctx context.Context, key string) error {
	if _, err := b.db.X.ExecContext(ctx, b.db.q(`DELETE FROM blobs WHERE key = ?`), key); err != nil {
		return fmt.Errorf("store: delete blob %s: %w", key, err)
	}
	return nil
}
