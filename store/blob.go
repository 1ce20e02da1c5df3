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

// dbBlobs keeps blobs in the blobs table.
type dbBlobs struct{ db *DB }

var _ Blobs = (*dbBlobs)(nil)

func (b *dbBlobs) Put(ctx context.Context, key string, data []byte) error {
	_, err := b.db.X.ExecContext(ctx, b.db.q(`INSERT INTO blobs (key, data, created_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`), key, data, b.db.Now())
	if err != nil {
		return fmt.Errorf("store: put blob %s: %w", key, err)
	}
	return nil
}

func (b *dbBlobs) Get(ctx context.Context, key string) ([]byte, error) {
	var data []byte
	if err := b.db.X.GetContext(ctx, &data, b.db.q(`SELECT data FROM blobs WHERE key = ?`), key); err != nil {
		return nil, notFound(err, "get blob "+key)
	}
	return data, nil
}

func (b *dbBlobs) Delete(ctx context.Context, key string) error {
	if _, err := b.db.X.ExecContext(ctx, b.db.q(`DELETE FROM blobs WHERE key = ?`), key); err != nil {
		return fmt.Errorf("store: delete blob %s: %w", key, err)
	}
	return nil
}
