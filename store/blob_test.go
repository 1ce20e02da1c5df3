package store_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/dargo-support/dargo/internal/testdb"
	"github.com/dargo-support/dargo/store"
)

func TestBlobKeyIsAContentAddress(t *testing.T) {
	a := store.BlobKey("att", []byte("hello"))
	if !strings.HasPrefix(a, "att/") || len(a) != len("att/")+64 {
		t.Errorf("BlobKey = %q, want att/<sha256 hex>", a)
	}
	if b := store.BlobKey("att", []byte("hello")); b != a {
		t.Errorf("same bytes gave %q and %q", a, b)
	}
	if c := store.BlobKey("att", []byte("hello!")); c == a {
		t.Errorf("different bytes share key %q", c)
	}
}

func TestDBBlobs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tests := []struct {
			name string
			data []byte
		}{
			{"empty", []byte{}},
			{"binary", []byte{0, 1, 2, 0xff, 'x'}},
			{"exactly one chunk", pattern(1 << 20)},
			{"several chunks", pattern(5<<19 + 7)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				key := store.BlobKey("test", tt.data)
				for range 2 { // Put is idempotent
					if err := db.Blobs.Put(ctx, key, tt.data); err != nil {
						t.Fatal(err)
					}
				}
				got, err := db.Blobs.Get(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, tt.data) {
					t.Errorf("Get returned %d bytes, want the %d put", len(got), len(tt.data))
				}
				if err := db.Blobs.Delete(ctx, key); err != nil {
					t.Fatal(err)
				}
				_, err = db.Blobs.Get(ctx, key)
				wantNotFound(t, "Get after Delete", err)
				if n := count(t, db, `SELECT COUNT(*) FROM blobs WHERE key = ?`, key); n != 0 {
					t.Errorf("%d rows left after Delete", n)
				}
			})
		}
		_, err := db.Blobs.Get(ctx, "test/never-put")
		wantNotFound(t, "Get(unknown)", err)
	})
}

// pattern returns n bytes that differ from chunk to chunk.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7 / 3)
	}
	return b
}
