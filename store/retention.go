package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Sweep names, as sweep_runs, the logs and /metrics call them.
const (
	SweepTokens        = "tokens"
	SweepSessions      = "sessions"
	SweepRawMail       = "raw_mail"
	SweepLoginLog      = "login_log"
	SweepErasedTickets = "erased_tickets"
	SweepDevMail       = "dev_mail"
	SweepUsage         = "usage_events"
)

// sweepRunsKept is how long sweep_runs remembers a run; sweep_totals keeps
// the sums for good.
const sweepRunsKept = 90 * 24 * time.Hour

// SweepRun is one finished run of a sweep.
type SweepRun struct {
	Name     string
	Removed  int64
	Duration time.Duration
	Failed   bool // it stopped on an error; Removed is what went before
}

// RecordSweepRun records a run and adds it to its sweep's totals in one
// transaction, and forgets runs older than 90 days.
func (db *DB) RecordSweepRun(ctx context.Context, r SweepRun) error {
	now := db.Now()
	var okAt *time.Time
	failures := 1
	if !r.Failed {
		okAt, failures = &now, 0
	}
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, tx.q(`INSERT INTO sweep_runs (name, removed, seconds, failed, finished_at) VALUES (?, ?, ?, ?, ?)`),
			r.Name, r.Removed, r.Duration.Seconds(), r.Failed, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.q(`INSERT INTO sweep_totals (name, removed, runs, failures, last_ok_at, last_seconds) VALUES (?, ?, 1, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET removed = sweep_totals.removed + excluded.removed, runs = sweep_totals.runs + 1,
				failures = sweep_totals.failures + excluded.failures, last_ok_at = COALESCE(excluded.last_ok_at, sweep_totals.last_ok_at),
				last_seconds = excluded.last_seconds`),
			r.Name, r.Removed, failures, okAt, r.Duration.Seconds()); err != nil {
			return err
		}
		// A handful of rows a day: the first run after 90 days removes them.
		_, err := tx.ExecContext(ctx, tx.q(`DELETE FROM sweep_runs WHERE finished_at < ?`), now.Add(-sweepRunsKept))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record sweep %s: %w", r.Name, err)
	}
	return nil
}

// SweepStat is what a sweep has done since the database was created.
type SweepStat struct {
	Name        string     `db:"name"`
	Removed     int64      `db:"removed"`
	Runs        int64      `db:"runs"`
	Failures    int64      `db:"failures"`
	LastOKAt    *time.Time `db:"last_ok_at"`   // the last run that finished without error
	LastSeconds float64    `db:"last_seconds"` // how long the last run took
}

// SweepStats returns every sweep that has run, by name.
func (db *DB) SweepStats(ctx context.Context) ([]SweepStat, error) {
	var out []SweepStat
	if err := db.X.SelectContext(ctx, &out, `SELECT * FROM sweep_totals ORDER BY name`); err != nil {
		return nil, fmt.Errorf("store: sweep stats: %w", err)
	}
	return out, nil
}

// SweepRawMail deletes the raw bytes of inbound mail received more than keep
// ago, quarantined and unprocessed mail included, from the database or the
// object store. The row stays as the record of what arrived and what became
// of it, its blob_key emptied; the message parsed from it stays too. It returns
// how many mails lost their bytes.
func (db *DB) SweepRawMail(ctx context.Context, keep time.Duration, batch int) (int64, error) {
	n, err := db.dropRaw(ctx, batch, `SELECT id, blob_key FROM inbound_mail
		WHERE blob_key <> '' AND received_at <= ? ORDER BY received_at LIMIT ?`, db.Now().Add(-keep))
	if err != nil {
		return n, fmt.Errorf("store: sweep raw mail: %w", err)
	}
	return n, nil
}

// SweepLoginLog deletes sign-in records and sessions that ended more than
// keep ago, and clears the IP address and user agent (and what was parsed
// from it) of older sign-in tokens and sessions still there (the token
// sweep normally removes those first). It returns how many rows it deleted
// or cleared.
func (db *DB) SweepLoginLog(ctx context.Context, keep time.Duration, batch int) (int64, error) {
	cutoff := db.Now().Add(-keep)
	var total int64
	for _, stmt := range []string{
		`DELETE FROM logins WHERE id IN (SELECT id FROM logins WHERE created_at <= ? LIMIT ?)`,
		`DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE ended_at <= ? LIMIT ?)`,
		`UPDATE login_tokens SET ip = '', user_agent = '' WHERE id IN
			(SELECT id FROM login_tokens WHERE created_at <= ? AND (ip <> '' OR user_agent <> '') LIMIT ?)`,
		`UPDATE sessions SET ip = '', user_agent = '', browser = '', os = '', device = '' WHERE id IN
			(SELECT id FROM sessions WHERE created_at <= ? AND (ip <> '' OR user_agent <> '' OR browser <> '' OR os <> '' OR device <> '') LIMIT ?)`,
	} {
		n, err := db.repeat(ctx, batch, stmt, cutoff)
		total += n
		if err != nil {
			return total, fmt.Errorf("store: sweep login log: %w", err)
		}
	}
	return total, nil
}

// closedErasedTickets selects the closed tickets of erased customers.
const closedErasedTickets = `SELECT t.id FROM tickets t JOIN users u ON u.id = t.customer_id
	WHERE u.erased_at IS NOT NULL AND t.status = 'closed'`

// SweepErasedTickets finishes the erasure of a customer once each of their
// tickets is closed: every message on it loses its subject and bodies,
// every file goes with its bytes, and raw mail behind its messages loses
// its bytes. The ticket and its messages stay as records (who, when, what
// kind). It returns files deleted plus raw mails dropped plus messages
// emptied.
func (db *DB) SweepErasedTickets(ctx context.Context, batch int) (int64, error) {
	files, err := db.dropFiles(ctx, batch)
	if err != nil {
		return files, fmt.Errorf("store: sweep erased tickets: %w", err)
	}
	raw, err := db.dropRaw(ctx, batch, `SELECT i.id, i.blob_key FROM inbound_mail i JOIN messages m ON m.inbound_mail_id = i.id
		WHERE i.blob_key <> '' AND m.ticket_id IN (`+closedErasedTickets+`) ORDER BY i.id LIMIT ?`)
	if err != nil {
		return files + raw, fmt.Errorf("store: sweep erased tickets: %w", err)
	}
	words, err := db.repeat(ctx, batch, `UPDATE messages SET subject = '', text = '', visible_text = '', html = '' WHERE id IN
		(SELECT id FROM messages WHERE ticket_id IN (`+closedErasedTickets+`)
			AND (subject <> '' OR text <> '' OR visible_text <> '' OR html <> '') LIMIT ?)`)
	if err != nil {
		return files + raw + words, fmt.Errorf("store: sweep erased tickets: %w", err)
	}
	// Their rows' previews go too. Run after the messages, and again by the
	// next sweep should this one stop between the two.
	err = db.refreshRows(ctx, db.X, `t.id IN (`+closedErasedTickets+`)
		AND t.id IN (SELECT ticket_id FROM ticket_rows WHERE preview <> '')`)
	if err != nil {
		return files + raw + words, fmt.Errorf("store: sweep erased tickets: %w", err)
	}
	return files + raw + words, nil
}

// SweepDevMail deletes dev outbox mail older than keep.
func (db *DB) SweepDevMail(ctx context.Context, keep time.Duration, batch int) (int64, error) {
	n, err := db.repeat(ctx, batch, `DELETE FROM dev_mail WHERE id IN (SELECT id FROM dev_mail WHERE created_at <= ? LIMIT ?)`,
		db.Now().Add(-keep))
	if err != nil {
		return n, fmt.Errorf("store: sweep dev mail: %w", err)
	}
	return n, nil
}

// repeat runs stmt, whose last placeholder is its batch LIMIT, until a run
// changes fewer than batch rows. Each run is a statement of its own, so no
// transaction holds its locks for longer than one batch.
func (db *DB) repeat(ctx context.Context, batch int, stmt string, args ...any) (int64, error) {
	stmt = db.q(stmt)
	args = append(args[:len(args):len(args)], batch)
	var total int64
	for {
		res, err := db.X.ExecContext(ctx, stmt, args...)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
		if n < int64(batch) {
			return total, nil
		}
	}
}

// blobRow is a row that points at a blob.
type blobRow struct {
	ID  int64  `db:"id"`
	Key string `db:"blob_key"`
}

// dropRaw takes batches of inbound_mail rows from pick (whose last
// placeholder is its LIMIT), deletes their bytes and empties their blob_key.
// Bytes go first: a crash in between leaves rows that the next run picks
// again, never bytes nobody points at.
func (db *DB) dropRaw(ctx context.Context, batch int, pick string, args ...any) (int64, error) {
	pick = db.q(pick)
	args = append(args[:len(args):len(args)], batch)
	var total int64
	for {
		var rows []blobRow
		if err := db.X.SelectContext(ctx, &rows, pick, args...); err != nil {
			return total, err
		}
		if len(rows) == 0 {
			return total, nil
		}
		if err := db.deleteBlobs(ctx, "inbound_mail", rows); err != nil {
			return total, err
		}
		n, err := db.execIn(ctx, `UPDATE inbound_mail SET blob_key = '', sender = '', recipients = '' WHERE blob_key <> '' AND id IN (?)`, rowIDs(rows))
		total += n
		if err != nil {
			return total, err
		}
		if len(rows) < batch {
			return total, nil
		}
	}
}

// dropFiles deletes the attachments of closed tickets of erased customers,
// bytes first, a batch at a time.
func (db *DB) dropFiles(ctx context.Context, batch int) (int64, error) {
	pick := db.q(`SELECT a.id, a.blob_key FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE m.ticket_id IN (` + closedErasedTickets + `) ORDER BY a.id LIMIT ?`)
	var total int64
	for {
		var rows []blobRow
		if err := db.X.SelectContext(ctx, &rows, pick, batch); err != nil {
			return total, err
		}
		if len(rows) == 0 {
			return total, nil
		}
		if err := db.deleteBlobs(ctx, "attachments", rows); err != nil {
			return total, err
		}
		n, err := db.execIn(ctx, `DELETE FROM attachments WHERE id IN (?)`, rowIDs(rows))
		total += n
		if err != nil {
			return total, err
		}
		if len(rows) < batch {
			return total, nil
		}
	}
}

// deleteBlobs deletes the blobs that rows of table (inbound_mail,
// attachments or staged_files, a constant of ours) point at, except those another row of
// the table still points at: keys are content addresses, so the same file
// sent twice is one blob.
func (db *DB) deleteBlobs(ctx context.Context, table string, rows []blobRow) error {
	var keys []string
	seen := map[string]bool{}
	for _, r := range rows {
		if r.Key != "" && !seen[r.Key] {
			seen[r.Key] = true
			keys = append(keys, r.Key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	query, args, err := sqlx.In(`SELECT DISTINCT blob_key FROM `+table+` WHERE blob_key <> '' AND blob_key IN (?) AND id NOT IN (?)`,
		keys, rowIDs(rows))
	if err != nil {
		return err
	}
	var shared []string
	if err := db.X.SelectContext(ctx, &shared, db.q(query), args...); err != nil {
		return err
	}
	for _, k := range shared {
		seen[k] = false
	}
	for _, k := range keys {
		if seen[k] {
			if err := db.Blobs.Delete(ctx, k); err != nil {
				return err
			}
		}
	}
	return nil
}

// execIn runs a statement with one "IN (?)" list and returns the rows it changed.
func (db *DB) execIn(ctx context.Context, stmt string, ids []int64) (int64, error) {
	query, args, err := sqlx.In(stmt, ids)
	if err != nil {
		return 0, err
	}
	res, err := db.X.ExecContext(ctx, db.q(query), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func rowIDs(rows []blobRow) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids
}
