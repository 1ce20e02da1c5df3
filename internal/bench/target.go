package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

// target is the bench's own database beside the configured one.
type target struct {
	url   string
	desc  string
	close func() error // removes it

	schema string      // PostgreSQL: the schema made for the bench
	file   os.FileInfo // SQLite: the file made for the bench, as created
}

// openTarget makes the bench's database: for sqlite:FILE a sibling file
// FILE.bench-<pid>.db on the same filesystem, for PostgreSQL a fresh schema
// dargo_bench_<random> in the configured database. The configured data is
// never opened for writing; close removes the file or drops the schema.
func openTarget(ctx context.Context, configured string) (*target, error) {
	switch {
	case strings.HasPrefix(configured, "sqlite:"):
		return sqliteTarget(strings.TrimPrefix(strings.TrimPrefix(configured, "sqlite:"), "//"))
	case strings.HasPrefix(configured, "postgres://"), strings.HasPrefix(configured, "postgresql://"):
		return postgresTarget(ctx, configured)
	case configured == "":
		return nil, errors.New("bench: DARGO_DATABASE_URL is not set")
	default:
		return nil, fmt.Errorf("bench: unsupported database URL (want sqlite:FILE or postgres://…)")
	}
}

func sqliteTarget(path string) (*target, error) {
	if path == "" {
		return nil, errors.New("bench: sqlite URL needs a path")
	}
	file := fmt.Sprintf("%s.bench-%d.db", path, os.Getpid())
	f, err := os.OpenFile(file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600) // #nosec G304 -- beside the operator's own file
	if err != nil {
		return nil, fmt.Errorf("bench: create %s: %w", file, err)
	}
	info, err := f.Stat()
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("bench: stat %s: %w", file, err)
	}
	return &target{url: "sqlite:" + file, file: info, desc: "temporary file " + file + " (removed at the end)", close: func() error {
		var errs []error
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			if err := os.Remove(file + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("bench: remove %s: %w", file+suffix, err))
			}
		}
		return errors.Join(errs...)
	}}, nil
}

// SchemaPrefix starts the name of every schema the bench makes on
// PostgreSQL.
const SchemaPrefix = "dargo_bench_"

func postgresTarget(ctx context.Context, configured string) (*target, error) {
	u, err := url.Parse(configured)
	if err != nil {
		return nil, fmt.Errorf("bench: database URL: %w", err)
	}
	admin, err := store.Open(ctx, configured)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b) // never fails (crypto/rand)
	schema := SchemaPrefix + hex.EncodeToString(b)
	if _, err := admin.X.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		return nil, fmt.Errorf("bench: create schema %s: %w", schema, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return &target{url: u.String(), schema: schema, desc: "schema " + schema + " (dropped at the end)", close: func() error {
		// Also after Ctrl-C: the run's context is over, this one is not.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := store.Open(ctx, configured)
		if err != nil {
			return fmt.Errorf("bench: drop schema %s: %w", schema, err)
		}
		defer admin.Close()
		if _, err := admin.X.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			return fmt.Errorf("bench: drop schema %s: %w", schema, err)
		}
		return nil
	}}, nil
}
