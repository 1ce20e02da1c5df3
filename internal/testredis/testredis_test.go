package testredis_test

import (
	"testing"

	"github.com/dargo-support/dargo/internal/testredis"
)

func TestOpenGivesAFlushedDatabase(t *testing.T) {
	const db = 12 // jobs uses 14; CI's default URL names 15
	r := testredis.Open(t, db)
	c := r.Client(t)
	if err := c.Set(t.Context(), "left-over", "1", 0).Err(); err != nil {
		t.Fatalf("set: %v", err)
	}
	again := testredis.Open(t, db)
	if n, err := again.Client(t).Exists(t.Context(), "left-over").Result(); err != nil || n != 0 {
		t.Fatalf("key from an earlier test survives: %d, %v", n, err)
	}
	if addr, got := testredis.Addr(t, db); addr == "" || got != db {
		t.Errorf("Addr = %q, %d", addr, got)
	}
}
