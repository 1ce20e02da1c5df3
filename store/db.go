package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // SQLite driver "sqlite", no cgo
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("store: not found")

// Dialects Dargo runs on.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// DB is a Dargo database: a pool, its dialect, and the blob store beside it.
type DB struct {
	X       *sqlx.DB
	Dialect string
	Blobs   Blobs
	// Now is the clock; tests replace it.
	Now func() time.Time
	// NoticeWait holds a staff notice in the outbox so that more events
	// about the same ticket join it as one digest (DefaultNoticeWait).
	NoticeWait time.Duration
	// Lifecycle is when tickets auto-close, close and stop reopening
	// (lifecycle.go); DefaultLifecycle unless configured.
	Lifecycle Lifecycle
	// Zone is the desk's time zone (DARGO_TIME_ZONE): staff who chose none
	// see times in it. Never nil.
	Zone *time.Location

	lastUsageKey atomic.Pointer[monthKey]      // the latest usage key read (usage.go)
	banners      atomic.Pointer[latestBanners] // the newest significant policy versions (policy_announce.go)
	stmtCache    stmtCache                     // SQLite: statements prepared once per connection (stmt_cache.go)
}

// Open connects to url: "postgres://…" (or "postgresql://…") or "sqlite:PATH".
func Open(ctx context.Context, url string) (*DB, error) {
	driver, dsn, dialect, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	x, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	conns := 32
	if dialect == SQLite {
		// One writer at a time is SQLite's rule; a few readers help the web tier.
		conns = 8
	}
	x.SetMaxOpenConns(conns)
	// Keep them all idle between bursts: database/sql's default of 2 closes
	// and reopens the rest (a new PostgreSQL backend each) under load.
	x.SetMaxIdleConns(conns)
	x.SetConnMaxIdleTime(5 * time.Minute)
	if err := x.PingContext(ctx); err != nil {
		x.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	db := &DB{X: x, Dialect: dialect, Now: func() time.Time { return time.Now().UTC() }, NoticeWait: DefaultNoticeWait, Zone: time.UTC,
		Lifecycle: DefaultLifecycle()}
	db.Blobs = &dbBlobs{db: db}
	return db, nil
}

// ParseURL says which database/sql driver, data source name and dialect a
// database URL opens (tests open the same database through a wrapper).
func ParseURL(url string) (driver, dsn, dialect string, err error) { return parseURL(url) }

func parseURL(url string) (driver, dsn, dialect string, err error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return "pgx", url, Postgres, nil
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//")
		if path == "" {
			return "", "", "", errors.New("store: sqlite URL needs a path, e.g. sqlite:data/dargo.db")
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return "", "", "", fmt.Errorf("store: create %s: %w", dir, err)
			}
		}
		// WAL and a busy timeout let several processes share the file; IMMEDIATE
		// transactions take the write lock up front instead of failing on upgrade.
		dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
			"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite&_txlock=immediate"
		return "sqlite", dsn, SQLite, nil
	default:
		return "", "", "", fmt.Errorf("store: unsupported database URL %q (want postgres://… or sqlite:PATH)", url)
	}
}

// Close closes the pool.
func (db *DB) Close() error {
	db.stmtCache.closeStmts()
	return db.X.Close()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.X.PingContext(ctx) }

// Tx is a transaction with the dialect's placeholder rebinding at hand.
type Tx struct {
	*sqlx.Tx
	db *DB
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back on error or panic.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	x, err := db.X.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			x.Rollback()
			panic(p)
		}
		if err != nil {
			x.Rollback()
		}
	}()
	if err = fn(&Tx{Tx: x, db: db}); err != nil {
		return err
	}
	if err = x.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// q rebinds a '?' query for the dialect.
func (db *DB) q(query string) string {
	if db.Dialect == Postgres {
		return sqlx.Rebind(sqlx.DOLLAR, query)
	}
	return query
}

func (tx *Tx) q(query string) string { return tx.db.q(query) }

func notFound(err error, what string) error {
	if errors.Is(err, sqlErrNoRows) {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// NormalizeEmail lower-cases and trims an address; addresses compare case-insensitively.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// inTxRetry is InTx for a transaction that can simply run again: a
// PostgreSQL deadlock or serialization failure (two mails that cc each other
// lock the same users in opposite order) is retried a few times.
func (db *DB) inTxRetry(ctx context.Context, fn func(tx *Tx) error) error {
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt*attempt) * 20 * time.Millisecond)
		}
		if err = db.InTx(ctx, fn); !retryable(err) {
			return err
		}
	}
	return err
}

// retryable reports a PostgreSQL deadlock (40P01) or serialization failure (40001).
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

// OneWriter says whether the database writes one transaction at a time
// (SQLite): callers that could write side by side take turns instead.
func (db *DB) OneWriter() bool { return db.Dialect == SQLite }
