package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// SQLite compiles every statement it is given (sqlite3_prepare), and
// database/sql asks for that again on each call: for one inbound mail's
// statements the compiling cost more than running them. On SQLite a
// transaction's statements are therefore prepared once per connection and
// kept (database/sql's Stmt keeps one per connection; Tx.Stmt reuses it).
// PostgreSQL's driver (pgx) keeps its own cache of prepared statements.

// maxCachedStmts bounds the cache: queries built with a varying number of
// placeholders (IN lists) would otherwise add one entry per length.
const maxCachedStmts = 512

// stmtCache holds the prepared statements of one DB.
type stmtCache struct {
	mu     sync.Mutex
	stmts  map[string]*sqlx.Stmt // nil while being prepared
	closed bool
}

// stmt returns tx's prepared statement for query, or nil when query goes
// to the driver as it is: PostgreSQL, several statements in one string, a
// full cache, or a query met for the first time. That one is prepared
// beside the transaction, on whichever connection is free: preparing it
// here would wait for a second connection while this one holds SQLite's
// write lock, and every other connection may be waiting for that lock.
func (tx *Tx) stmt(ctx context.Context, query string) *sqlx.Stmt {
	db := tx.db
	if db.Dialect != SQLite || strings.Contains(strings.TrimRight(strings.TrimSpace(query), ";"), ";") {
		return nil
	}
	c := &db.stmtCache
	c.mu.Lock()
	s, known := c.stmts[query]
	if !known && len(c.stmts) < maxCachedStmts {
		if c.stmts == nil {
			c.stmts = map[string]*sqlx.Stmt{}
		}
		c.stmts[query] = nil // being prepared, by a goroutine that outlives the transaction
		go c.prepare(context.WithoutCancel(ctx), db.X, query)
	}
	c.mu.Unlock()
	if s == nil {
		return nil
	}
	// Prepared on this transaction's connection unless it was already, and
	// closed with the transaction; the connection's compiled statement stays.
	return tx.Tx.StmtxContext(ctx, s)
}

// prepare prepares query for the cache, or forgets it when that fails
// (the driver says why when the query runs).
func (c *stmtCache) prepare(ctx context.Context, x *sqlx.DB, query string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := x.PreparexContext(ctx, query)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || c.closed {
		delete(c.stmts, query)
		if s != nil {
			s.Close()
		}
		return
	}
	c.stmts[query] = s
}

// ExecContext runs query in the transaction (prepared once on SQLite).
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := tx.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryRowxContext runs query in the transaction (prepared once on SQLite).
func (tx *Tx) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryRowxContext(ctx, args...)
	}
	return tx.Tx.QueryRowxContext(ctx, query, args...)
}

// GetContext reads one row into dest (prepared once on SQLite).
func (tx *Tx) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	if s := tx.stmt(ctx, query); s != nil {
		return s.GetContext(ctx, dest, args...)
	}
	return tx.Tx.GetContext(ctx, dest, query, args...)
}

// SelectContext reads every row into dest before it returns (prepared
// once on SQLite). Queries a caller iterates (QueryContext, QueryxContext)
// are not prepared: the connection's one compiled statement would be
// restarted should the same query run again while its rows are open.
func (tx *Tx) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	if s := tx.stmt(ctx, query); s != nil {
		return s.SelectContext(ctx, dest, args...)
	}
	return tx.Tx.SelectContext(ctx, dest, query, args...)
}

// closeStmts closes the cached statements (DB.Close).
func (c *stmtCache) closeStmts() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for q, s := range c.stmts {
		if s != nil {
			s.Close()
		}
		delete(c.stmts, q)
	}
}
