package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// Kinds of usage event.
const (
	UsagePage    = "page"    // a page view; the name is its route pattern
	UsageFeature = "feature" // a feature used; the name is one of the Feature constants
)

// Features whose use is counted.
const (
	FeatureSignedIn      = "signed_in"
	FeatureTicketCreated = "ticket_created" // in the portal
	FeatureReplySent     = "reply_sent"     // portal or inbox
	FeatureNoteAdded     = "note_added"
	FeatureStatusChanged = "status_changed"
	FeatureSearchRun     = "search_run" // an inbox search with words
	FeatureExportJSON    = "export_json"
	FeatureExportZIP     = "export_zip"
)

// maxUsageName bounds an event's name: route patterns and feature names are short.
const maxUsageName = 100

// UsageEvent is one raw usage event, as the person's export shows it.
type UsageEvent struct {
	At        time.Time `db:"at" json:"at"`
	Kind      string    `db:"kind" json:"kind"`
	Name      string    `db:"name" json:"name"`
	Pseudonym string    `db:"pseudonym" json:"pseudonym"`
}

// RecordUsage records that the user viewed a page (kind UsagePage, name a
// route pattern) or used a feature (UsageFeature, a Feature name), under
// this month's pseudonym for them. Every usage event goes through here, and
// none is written for a person who objected to analytics, or who was erased.
func (db *DB) RecordUsage(ctx context.Context, userID int64, kind, name string) error {
	if (kind != UsagePage && kind != UsageFeature) || name == "" || len(name) > maxUsageName {
		return fmt.Errorf("store: record usage: bad event %q %q", kind, name)
	}
	// The hour, not the moment: a page view's time would otherwise match
	// the sign-in record (which names the person) to the microsecond.
	now := db.Now().UTC().Truncate(time.Hour)
	key, err := db.usageKey(ctx, now)
	if err != nil {
		return fmt.Errorf("store: record usage: %w", err)
	}
	query := `INSERT INTO usage_events (at, pseudonym, kind, name, audience)
		SELECT ?, ?, ?, ?, CASE WHEN u.role = 'customer' THEN 'customer' ELSE 'staff' END FROM users u
		WHERE u.id = ? AND u.erased_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM user_choices c WHERE c.user_id = u.id AND c.kind = 'analytics' AND c.objected)`
	if db.Dialect == Postgres {
		// The statement's own transaction does not wait for the WAL to
		// reach the disk (set_config(…, true) lasts until its commit; the
		// CTE runs only because the query uses it): a database crash may
		// lose the last fraction of a second of events, never corrupt
		// anything, and a page view saves an fsync, in one round trip.
		query = `WITH fast AS (SELECT set_config('synchronous_commit', 'off', true) AS done) ` + query + ` AND EXISTS (SELECT 1 FROM fast)`
	}
	_, err = db.X.ExecContext(ctx, db.q(query), now, pseudonym(key, userID), kind, name, userID)
	if err != nil {
		return fmt.Errorf("store: record usage: %w", err)
	}
	return nil
}

// pseudonym is what usage events call a user in the month of key: the first
// 128 bits of HMAC-SHA256(key, decimal user id), hex.
func pseudonym(key []byte, userID int64) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(strconv.FormatInt(userID, 10)))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

// usageMonth names the month of t, as usage_keys does.
func usageMonth(t time.Time) string { return t.UTC().Format("2006-01") }

// monthKey is a month's usage key.
type monthKey struct {
	month string
	key   []byte
}

// usageKey returns the key of t's month, made on first use. Two processes
// making it at once both read back the one that won. The key is kept in
// memory: a month's key never changes, and the sweep deletes past months'
// keys only.
func (db *DB) usageKey(ctx context.Context, t time.Time) ([]byte, error) {
	month := usageMonth(t)
	if k := db.lastUsageKey.Load(); k != nil && k.month == month {
		return k.key, nil
	}
	var secret string
	err := db.X.GetContext(ctx, &secret, db.q(`SELECT secret FROM usage_keys WHERE month = ?`), month)
	if errors.Is(err, sql.ErrNoRows) {
		b := make([]byte, 32)
		rand.Read(b) // never fails (crypto/rand)
		if _, err := db.X.ExecContext(ctx, db.q(`INSERT INTO usage_keys (month, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (month) DO NOTHING`),
			month, hex.EncodeToString(b), db.Now()); err != nil {
			return nil, fmt.Errorf("usage key: %w", err)
		}
		err = db.X.GetContext(ctx, &secret, db.q(`SELECT secret FROM usage_keys WHERE month = ?`), month)
	}
	if err != nil {
		return nil, fmt.Errorf("usage key: %w", err)
	}
	key, err := hex.DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("usage key: %w", err)
	}
	db.lastUsageKey.Store(&monthKey{month: month, key: key})
	return key, nil
}

// usagePseudonyms returns the user's pseudonym under every month key that
// still exists: the only way back from a person to their events.
func usagePseudonyms(ctx context.Context, q sqlx.QueryerContext, rebind func(string) string, userID int64) ([]string, error) {
	var secrets []string
	if err := sqlx.SelectContext(ctx, q, &secrets, rebind(`SELECT secret FROM usage_keys ORDER BY month`)); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := hex.DecodeString(s)
		if err != nil {
			return nil, err
		}
		out = append(out, pseudonym(key, userID))
	}
	return out, nil
}

// UsageEvents returns the user's own raw usage events, oldest first: those
// under the month keys that still exist (older ones are aggregated, and
// nobody can tell whose they were).
func (db *DB) UsageEvents(ctx context.Context, userID int64) ([]UsageEvent, error) {
	out := []UsageEvent{}
	names, err := usagePseudonyms(ctx, db.X, db.q, userID)
	if err != nil {
		return nil, fmt.Errorf("store: usage events: %w", err)
	}
	if len(names) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT at, kind, name, pseudonym FROM usage_events WHERE pseudonym IN (?) ORDER BY at, id`, names)
	if err == nil {
		err = db.X.SelectContext(ctx, &out, db.q(q), args...)
	}
	if err != nil {
		return nil, fmt.Errorf("store: usage events: %w", err)
	}
	return out, nil
}

// eraseUsage deletes the user's raw usage events; the day counts stay.
func (tx *Tx) eraseUsage(ctx context.Context, userID int64) (int64, error) {
	names, err := usagePseudonyms(ctx, tx, tx.q, userID)
	if err != nil || len(names) == 0 {
		return 0, err
	}
	q, args, err := sqlx.In(`DELETE FROM usage_events WHERE pseudonym IN (?)`, names)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, tx.q(q), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SweepUsage adds every finished day of raw usage events up into the daily
// counts, then deletes raw events older than keep, then the month keys no
// event is left under. It returns the events plus the keys it deleted.
func (db *DB) SweepUsage(ctx context.Context, keep time.Duration, batch int) (int64, error) {
	if err := db.aggregateUsage(ctx); err != nil {
		return 0, fmt.Errorf("store: sweep usage: %w", err)
	}
	now := db.Now().UTC()
	n, err := db.repeat(ctx, batch, `DELETE FROM usage_events WHERE id IN (SELECT id FROM usage_events WHERE at < ? LIMIT ?)`, now.Add(-keep))
	if err != nil {
		return n, fmt.Errorf("store: sweep usage: %w", err)
	}
	var months []string
	if err := db.X.SelectContext(ctx, &months, db.q(`SELECT month FROM usage_keys WHERE month < ?`), usageMonth(now)); err != nil {
		return n, fmt.Errorf("store: sweep usage: %w", err)
	}
	for _, m := range months {
		start, err := time.Parse("2006-01", m)
		if err != nil {
			return n, fmt.Errorf("store: sweep usage: month %q: %w", m, err)
		}
		res, err := db.X.ExecContext(ctx, db.q(`DELETE FROM usage_keys WHERE month = ?
			AND NOT EXISTS (SELECT 1 FROM usage_events WHERE at >= ? AND at < ?)`), m, start, start.AddDate(0, 1, 0))
		if err != nil {
			return n, fmt.Errorf("store: sweep usage: %w", err)
		}
		gone, _ := res.RowsAffected()
		n += gone
	}
	return n, nil
}

// usageDay names the UTC day of t, as usage_daily and usage_days do.
func usageDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// aggregateUsage adds up each day before today that has raw events and no
// row in usage_days yet, one transaction a day.
func (db *DB) aggregateUsage(ctx context.Context) error {
	var first time.Time
	err := db.X.GetContext(ctx, &first, `SELECT at FROM usage_events ORDER BY at LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	today := startOfDay(db.Now())
	var done []string
	if err := db.X.SelectContext(ctx, &done, db.q(`SELECT day FROM usage_days WHERE day >= ?`), usageDay(first)); err != nil {
		return err
	}
	added := map[string]bool{}
	for _, d := range done {
		added[d] = true
	}
	for day := startOfDay(first); day.Before(today); day = day.AddDate(0, 0, 1) {
		if added[usageDay(day)] {
			continue
		}
		if err := db.InTx(ctx, func(tx *Tx) error { return tx.aggregateUsageDay(ctx, day) }); err != nil {
			return fmt.Errorf("aggregate %s: %w", usageDay(day), err)
		}
	}
	return nil
}

// aggregateUsageDay writes the day's counts, unless another run has.
func (tx *Tx) aggregateUsageDay(ctx context.Context, day time.Time) error {
	name, end := usageDay(day), day.AddDate(0, 0, 1)
	res, err := tx.ExecContext(ctx, tx.q(`INSERT INTO usage_days (day, active_users, active_customers, active_staff)
		SELECT ?, `+activeCounts+` FROM usage_events WHERE at >= ? AND at < ?
		ON CONFLICT (day) DO NOTHING`), name, day, end)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	_, err = tx.ExecContext(ctx, tx.q(`INSERT INTO usage_daily (day, kind, name, audience, count)
		SELECT ?, kind, name, audience, COUNT(*) FROM usage_events WHERE at >= ? AND at < ? GROUP BY kind, name, audience`), name, day, end)
	return err
}

// activeCounts are the distinct pseudonyms among some usage events: all,
// customers, staff.
const activeCounts = `COUNT(DISTINCT pseudonym), COUNT(DISTINCT CASE WHEN audience = 'customer' THEN pseudonym END),
	COUNT(DISTINCT CASE WHEN audience = 'staff' THEN pseudonym END)`

func startOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
