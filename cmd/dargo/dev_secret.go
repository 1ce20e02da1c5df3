package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// devSecretFile returns dargo dev's own secret when DARGO_SECRET is unset: a
// random one made on first start and kept in a file beside the SQLite
// database (mode 0600), so reply addresses and mail tags survive restarts
// but nobody can compute them from the public source. Without a SQLite
// file to sit beside, it falls back to the public dev key.
func devSecretFile(databaseURL string) (secret, path string, err error) {
	file, ok := strings.CutPrefix(databaseURL, "sqlite:")
	if !ok || file == "" || strings.HasPrefix(file, ":memory:") {
		return devSecret, "", nil
	}
	file, _, _ = strings.Cut(file, "?")
	path = filepath.Join(filepath.Dir(file), "secret")
	if b, err := os.ReadFile(path); err == nil { // #nosec G304 -- beside the configured database
		if s := strings.TrimSpace(string(b)); checkSecret(s) == nil {
			return s, path, nil
		}
		return "", path, fmt.Errorf("dev secret %s is not a strong secret; delete it to make a new one", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", path, fmt.Errorf("dev secret: %w", err)
	}
	s, err := newSecret()
	if err != nil {
		return "", path, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", path, fmt.Errorf("dev secret: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- beside the configured database
	if errors.Is(err, fs.ErrExist) {
		return devSecretFile(databaseURL) // another dev process made it first
	}
	if err != nil {
		return "", path, fmt.Errorf("dev secret: %w", err)
	}
	if _, err := fmt.Fprintln(f, s); err != nil {
		f.Close()
		return "", path, fmt.Errorf("dev secret: %w", err)
	}
	return s, path, f.Close()
}
