package main

import (
	"os"
	"path/filepath"
	"testing"
)

// dargo dev without DARGO_SECRET makes its own secret beside the database,
// keeps it, and never uses the public key when it can keep one.
func TestDevSecretFile(t *testing.T) {
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "data", "dargo.db") + "?_pragma=busy_timeout(5000)"
	first, path, err := devSecretFile(url)
	if err != nil || path != filepath.Join(dir, "data", "secret") {
		t.Fatalf("first start: %q %q %v", first, path, err)
	}
	if err := checkSecret(first); err != nil || first == devSecret {
		t.Fatalf("dev secret %q is not strong: %v", first, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file: %v %v, want mode 0600", fi.Mode(), err)
	}
	again, _, err := devSecretFile(url)
	if err != nil || again != first {
		t.Errorf("second start: %q %v, want the same secret", again, err)
	}
	if s, path, err := devSecretFile("postgres://localhost/dargo"); err != nil || path != "" || s != devSecret {
		t.Errorf("postgres: %q %q %v, want the public dev key", s, path, err)
	}
	if err := os.WriteFile(path, []byte("aaaa\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := devSecretFile(url); err == nil {
		t.Error("a weak secret file was accepted")
	}
}
