package store

import (
	"context"
	"fmt"
	"time"
)

// Session is a signed-in browser. Only the hash of its cookie is stored.
// Browser, OS and Device are parsed from UserAgent when it starts ("" on
// sessions older than that). An ended session stays, with when and why it
// ended, until retention deletes it.
type Session struct {
	ID         int64      `db:"id"`
	TokenHash  string     `db:"token_hash" json:"-"`
	UserID     int64      `db:"user_id"`
	IP         string     `db:"ip"`
	UserAgent  string     `db:"user_agent"`
	Browser    string     `db:"browser"`
	OS         string     `db:"os"`
	Device     string     `db:"device"`
	CreatedAt  time.Time  `db:"created_at"`
	ExpiresAt  time.Time  `db:"expires_at"`
	LastSeenAt time.Time  `db:"last_seen_at"`
	EndedAt    *time.Time `db:"ended_at"`
	EndReason  string     `db:"end_reason"`
}

// Why a session ended.
const (
	EndLogout   = "logout"   // its browser logged out
	EndExpired  = "expired"  // its 7 days ran out; ended_at is expires_at
	EndRevoked  = "revoked"  // logout everywhere, or an address change or its undo
	EndReplaced = "replaced" // its browser signed in again
)

// Duration is how long the session has been or was in use: until now while
// live, until it ended, and until it was last seen when it expired (nobody
// used its last unused hours).
func (s *Session) Duration(now time.Time) time.Duration {
	switch {
	case s.EndedAt == nil:
		return max(now.Sub(s.CreatedAt), 0)
	case s.EndReason == EndExpired:
		return max(s.LastSeenAt.Sub(s.CreatedAt), 0)
	}
	return max(s.EndedAt.Sub(s.CreatedAt), 0)
}

// LoginRecord is one past sign-in. Browser, OS and Device are parsed from
// UserAgent when it is recorded.
type LoginRecord struct {
	ID        int64     `db:"id"`
	UserID    int64     `db:"user_id"`
	IP        string    `db:"ip"`
	UserAgent string    `db:"user_agent"`
	Browser   string    `db:"browser"`
	OS        string    `db:"os"`
	Device    string    `db:"device"`
	Turnstile string    `db:"turnstile"`
	CreatedAt time.Time `db:"created_at"`
}

// SessionUser returns the live session with this hash and its user, or
// ErrNotFound when there is none or it has ended or expired. The user's role is read
// here, on every request, so a role change takes effect at once.
func (db *DB) SessionUser(ctx context.Context, tokenHash string) (*Session, *User, error) {
	var row struct {
		Session
		User `db:"u"`
	}
	err := db.X.GetContext(ctx, &row, db.q(`SELECT s.*, u.id AS "u.id", u.email AS "u.email", u.name AS "u.name", u.role AS "u.role",
			u.created_at AS "u.created_at", u.updated_at AS "u.updated_at", u.erased_at AS "u.erased_at", u.language AS "u.language"
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.ended_at IS NULL AND s.expires_at > ?`), tokenHash, db.Now())
	if err != nil {
		return nil, nil, notFound(err, "session")
	}
	return &row.Session, &row.User, nil
}

// TouchSession notes that the session was used, at most once a minute.
func (db *DB) TouchSession(ctx context.Context, id int64) error {
	now := db.Now()
	if _, err := db.X.ExecContext(ctx, db.q(`UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ? AND ended_at IS NULL`),
		now, id, now.Add(-time.Minute)); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// Logout ends the session with this hash.
func (db *DB) Logout(ctx context.Context, tokenHash string) error {
	if _, err := db.X.ExecContext(ctx, db.q(`UPDATE sessions SET ended_at = ?, end_reason = ?
		WHERE token_hash = ? AND `+liveSession), db.Now(), EndLogout, tokenHash, db.Now()); err != nil {
		return fmt.Errorf("store: logout: %w", err)
	}
	return nil
}

// liveSession is the condition on a sessions row that it still signs in;
// its placeholder is now. An expired row the sweep has not reached yet is
// left for the sweep, which ends it as expired.
const liveSession = `ended_at IS NULL AND expires_at > ?`

// LogoutEverywhere ends every live session of the user and returns how many.
func (db *DB) LogoutEverywhere(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		if n, err = tx.endSessions(ctx, userID, EndRevoked); err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: userID, Action: AuditLogout, UserID: userID, Detail: map[string]any{"sessions": n}})
	})
	if err != nil {
		return 0, fmt.Errorf("store: logout everywhere: %w", err)
	}
	return n, nil
}

// endSessions ends every live session of the user for reason and returns
// how many.
func (tx *Tx) endSessions(ctx context.Context, userID int64, reason string) (int64, error) {
	now := tx.db.Now()
	res, err := tx.ExecContext(ctx, tx.q(`UPDATE sessions SET ended_at = ?, end_reason = ? WHERE user_id = ? AND `+liveSession),
		now, reason, userID, now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Sessions lists the user's live sessions, newest first.
func (db *DB) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	var out []Session
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM sessions WHERE user_id = ? AND `+liveSession+` ORDER BY created_at DESC, id DESC`),
		userID, db.Now()); err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	return out, nil
}

// EndedSessions lists the user's most recently ended sessions, newest end
// first. Expired sessions appear once the hourly sweep has ended them.
func (db *DB) EndedSessions(ctx context.Context, userID int64, limit int) ([]Session, error) {
	var out []Session
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM sessions WHERE user_id = ? AND ended_at IS NOT NULL
		ORDER BY ended_at DESC, id DESC LIMIT ?`), userID, limit); err != nil {
		return nil, fmt.Errorf("store: ended sessions: %w", err)
	}
	return out, nil
}

// Logins lists the user's most recent sign-ins, newest first.
func (db *DB) Logins(ctx context.Context, userID int64, limit int) ([]LoginRecord, error) {
	var out []LoginRecord
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM logins WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`),
		userID, limit); err != nil {
		return nil, fmt.Errorf("store: logins: %w", err)
	}
	return out, nil
}

// SweepLoginTokens deletes sign-in tokens past their expiry, batch rows per
// statement so no statement holds its locks for long, and returns how many.
func (db *DB) SweepLoginTokens(ctx context.Context, batch int) (int64, error) {
	return db.sweep(ctx, "login_tokens", batch)
}

// SweepSessions ends the sessions past their expiry as expired, at their
// expires_at (when they stopped working, whenever the sweep runs), in
// batches, and returns how many. The rows stay for their duration; the
// retention sweep deletes them after DARGO_LOGIN_LOG_DAYS. Each batch
// starts after the last one's (expires_at, id), so a large backlog is not
// scanned again from its start past the index entries of rows just ended.
func (db *DB) SweepSessions(ctx context.Context, batch int) (int64, error) {
	stmt := db.q(`UPDATE sessions SET ended_at = expires_at, end_reason = 'expired' WHERE id IN
		(SELECT id FROM sessions WHERE ended_at IS NULL AND expires_at <= ? AND (expires_at > ? OR (expires_at = ? AND id > ?))
			ORDER BY expires_at, id LIMIT ?)
		RETURNING expires_at, id`)
	now := db.Now()
	after, afterID := time.Time{}, int64(0)
	var total int64
	for {
		var rows []struct {
			ExpiresAt time.Time `db:"expires_at"`
			ID        int64     `db:"id"`
		}
		if err := db.X.SelectContext(ctx, &rows, stmt, now, after, after, afterID, batch); err != nil {
			return total, fmt.Errorf("store: sweep sessions: %w", err)
		}
		total += int64(len(rows))
		for _, r := range rows {
			if r.ExpiresAt.After(after) || (r.ExpiresAt.Equal(after) && r.ID > afterID) {
				after, afterID = r.ExpiresAt, r.ID
			}
		}
		if len(rows) < batch {
			return total, nil
		}
	}
}

// sweep deletes expired rows of table (a constant of ours) in batches.
func (db *DB) sweep(ctx context.Context, table string, batch int) (int64, error) {
	n, err := db.repeat(ctx, batch, `DELETE FROM `+table+` WHERE id IN
		(SELECT id FROM `+table+` WHERE expires_at <= ? ORDER BY id LIMIT ?)`, db.Now())
	if err != nil {
		return n, fmt.Errorf("store: sweep %s: %w", table, err)
	}
	return n, nil
}
