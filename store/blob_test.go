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
		data := []byte{0, 1, 2, 0xff, 'x'} // binary-safe
		key := store.BlobKey("test", data)
		for range 2 { // Put is idempotent
			if err := db.Blobs.Put(ctx, key, data); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Blobs.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("Get = %v, want %v", got, data)
		}
		if err := db.Blobs.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		_, err = db.Blobs.Get(ctx, key)
		wantNotFound(t, "Get after Delete", err)
	})
}
