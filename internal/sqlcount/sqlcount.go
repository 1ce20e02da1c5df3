// Package sqlcount wraps a database/sql driver and counts the round trips
// a program makes through it: every Exec, Query, Prepare, Begin, Commit and
// Rollback. Tests use it to hold a code path to a number of round trips.
package sqlcount

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// Counter counts the round trips of the connections opened through it.
type Counter struct {
	trips atomic.Int64
	txs   atomic.Int64 // commits
	mu    sync.Mutex
	log   []string
}

// Trips is the number of round trips so far.
func (c *Counter) Trips() int64 { return c.trips.Load() }

// Commits is the number of committed transactions so far.
func (c *Counter) Commits() int64 { return c.txs.Load() }

// Reset zeroes the counts and the log.
func (c *Counter) Reset() {
	c.trips.Store(0)
	c.txs.Store(0)
	c.mu.Lock()
	c.log = nil
	c.mu.Unlock()
}

// Log is what was sent since the last Reset, one entry a round trip.
func (c *Counter) Log() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.log...)
}

func (c *Counter) add(what string) {
	c.trips.Add(1)
	c.mu.Lock()
	if len(c.log) < 1000 {
		c.log = append(c.log, what)
	}
	c.mu.Unlock()
}

var seq atomic.Int64

// Open opens dsn with the registered driver named base, through a counting
// wrapper, as an sqlx.DB that binds like base.
func Open(base, dsn string) (*sqlx.DB, *Counter, error) {
	d0, err := sql.Open(base, "")
	if err != nil {
		return nil, nil, err
	}
	inner := d0.Driver()
	d0.Close()
	c := &Counter{}
	name := fmt.Sprintf("sqlcount-%s-%d", base, seq.Add(1))
	sql.Register(name, &countDriver{inner: inner, c: c})
	db, err := sql.Open(name, dsn)
	if err != nil {
		return nil, nil, err
	}
	return sqlx.NewDb(db, base), c, nil
}

type countDriver struct {
	inner driver.Driver
	c     *Counter
}

func (d *countDriver) Open(dsn string) (driver.Conn, error) {
	conn, err := d.inner.Open(dsn)
	if err != nil {
		return nil, err
	}
	return &countConn{Conn: conn, c: d.c}, nil
}

// countConn forwards every optional interface the drivers we use (pgx's
// stdlib, modernc's sqlite) implement.
type countConn struct {
	driver.Conn
	c *Counter
}

func (cn *countConn) Prepare(q string) (driver.Stmt, error) {
	return cn.PrepareContext(context.Background(), q)
}

func (cn *countConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	cn.c.add("prepare " + q)
	var st driver.Stmt
	var err error
	if p, ok := cn.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, q)
	} else {
		st, err = cn.Conn.Prepare(q)
	}
	if err != nil {
		return nil, err
	}
	return &countStmt{Stmt: st, c: cn.c, q: q, conn: cn.Conn}, nil
}

// countStmt counts each run of a prepared statement as a round trip.
type countStmt struct {
	driver.Stmt
	c    *Counter
	q    string
	conn driver.Conn // its checker, when the statement has none (as database/sql does)
}

func (st *countStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	st.c.add("exec " + st.q)
	if e, ok := st.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	return nil, errors.New("sqlcount: the driver's statement has no ExecContext")
}

func (st *countStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	st.c.add("query " + st.q)
	if qr, ok := st.Stmt.(driver.StmtQueryContext); ok {
		return qr.QueryContext(ctx, args)
	}
	return nil, errors.New("sqlcount: the driver's statement has no QueryContext")
}

func (st *countStmt) CheckNamedValue(v *driver.NamedValue) error {
	if ch, ok := st.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	if ch, ok := st.conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func (cn *countConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	cn.c.add("begin")
	var tx driver.Tx
	var err error
	if b, ok := cn.Conn.(driver.ConnBeginTx); ok {
		tx, err = b.BeginTx(ctx, opts)
	} else {
		tx, err = cn.Conn.Begin() //nolint:staticcheck // drivers without BeginTx
	}
	if err != nil {
		return nil, err
	}
	return &countTx{Tx: tx, c: cn.c}, nil
}

func (cn *countConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := cn.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	cn.c.add("exec " + q)
	return e.ExecContext(ctx, q, args)
}

func (cn *countConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	qr, ok := cn.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	cn.c.add("query " + q)
	return qr.QueryContext(ctx, q, args)
}

func (cn *countConn) CheckNamedValue(v *driver.NamedValue) error {
	if ch, ok := cn.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func (cn *countConn) Ping(ctx context.Context) error {
	if p, ok := cn.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (cn *countConn) ResetSession(ctx context.Context) error {
	if r, ok := cn.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (cn *countConn) IsValid() bool {
	if v, ok := cn.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type countTx struct {
	driver.Tx
	c *Counter
}

func (t *countTx) Commit() error {
	t.c.add("commit")
	err := t.Tx.Commit()
	if err == nil {
		t.c.txs.Add(1)
	}
	return err
}

func (t *countTx) Rollback() error {
	t.c.add("rollback")
	return t.Tx.Rollback()
}
