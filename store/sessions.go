package store

import (
	"context"
	"fmt"
	"time"
)

// Session is a signed-in browser. Only the hash of its cookie is stored.
type Session struct {
	ID         int64     `db:"id"`
	TokenHash  string    `db:"token_hash" json:"-"`
	UserID     int64     `db:"user_id"`
	IP         string    `db:"ip"`
	UserAgent  string    `db:"user_agent"`
	CreatedAt  time.Time `db:"created_at"`
	ExpiresAt  time.Time `db:"expires_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
}

// LoginRecord is one past sign-in.
type LoginRecord struct {
	ID        int64     `db:"id"`
	UserID    int64     `db:"user_id"`
	IP        string    `db:"ip"`
	UserAgent string    `db:"user_agent"`
	Turnstile string    `db:"turnstile"`
	CreatedAt time.Time `db:"created_at"`
}

// SessionUser returns the live session with this hash and its user, or
// ErrNotFound when there is none or it has expired. The user's role is read
// here, on every request, so a role change takes effect at once.
func (db *DB) SessionUser(ctx context.Context, tokenHash string) (*Session, *User, error) {
	var row struct {
		Session
		User `db:"u"`
	}
	err := db.X.GetContext(ctx, &row, db.q(`SELECT s.*, u.id AS "u.id", u.email AS "u.email", u.name AS "u.name", u.role AS "u.role",
			u.created_at AS "u.created_at", u.updated_at AS "u.updated_at", u.erased_at AS "u.erased_at"
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ?`), tokenHash, db.Now())
	if err != nil {
		return nil, nil, notFound(err, "session")
	}
	return &row.Session, &row.User, nil
}

// TouchSession notes that the session was used, at most once a minute.
func (db *DB) TouchSession(ctx context.Context, id int64) error {
	now := db.Now()
	if _, err := db.X.ExecContext(ctx, db.q(`UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?`),
		now, id, now.Add(-time.Minute)); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// Logout deletes the session with this hash.
func (db *DB) Logout(ctx context.Context, tokenHash string) error {
	if _, err := db.X.ExecContext(ctx, db.q(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash); err != nil {
		return fmt.Errorf("store: logout: %w", err)
	}
	return nil
}

// LogoutEverywhere deletes every session of the user and returns how many.
func (db *DB) LogoutEverywhere(ctx context.Context, userID int64) (int64, error) {
	var n int64
	err := db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.q(`DELETE FROM sessions WHERE user_id = ?`), userID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return tx.Audit(ctx, Audit{ActorID: userID, Action: AuditLogout, UserID: userID, Detail: map[string]any{"sessions": n}})
	})
	if err != nil {
		return 0, fmt.Errorf("store: logout everywhere: %w", err)
	}
	return n, nil
}

// Sessions lists the user's live sessions, newest first.
func (db *DB) Sessions(ctx context.Context, userID int64) ([]Session, error) {
	var out []Session
	if err := db.X.SelectContext(ctx, &out, db.q(`SELECT * FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, id DESC`),
		userID, db.Now()); err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
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

// SweepSessions deletes sessions past their expiry, in batches.
func (db *DB) SweepSessions(ctx context.Context, batch int) (int64, error) {
	return db.sweep(ctx, "sessions", batch)
}

// sweep deletes expired rows of table (a constant of ours) in batches.
func (db *DB) sweep(ctx context.Context, table string, batch int) (int64, error) {
	now := db.Now()
	var total int64
	for {
		res, err := db.X.ExecContext(ctx, db.q(`DELETE FROM `+table+` WHERE id IN
			(SELECT id FROM `+table+` WHERE expires_at <= ? ORDER BY id LIMIT ?)`), now, batch)
		if err != nil {
			return total, fmt.Errorf("store: sweep %s: %w", table, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("store: sweep %s: %w", table, err)
		}
		total += n
		if n < int64(batch) {
			return total, nil
		}
	}
}

// SetRole gives the address a role, creating the user when needed, and
// returns the user.
func (db *DB) SetRole(ctx context.Context, email, role string) (*User, error) {
	now := db.Now()
	var u User
	err := db.InTx(ctx, func(tx *Tx) error {
		err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO users (email, role, created_at, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (email) DO UPDATE SET role = excluded.role, updated_at = excluded.updated_at
			RETURNING *`), NormalizeEmail(email), role, now, now).StructScan(&u)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{Action: AuditRoleChange, UserID: u.ID, Detail: map[string]any{"role": role}})
	})
	if err != nil {
		return nil, fmt.Errorf("store: set role: %w", err)
	}
	return &u, nil
}

// Staff lists staff and admins by address.
func (db *DB) Staff(ctx context.Context) ([]User, error) {
	var out []User
	if err := db.X.SelectContext(ctx, &out, `SELECT * FROM users WHERE role IN ('staff', 'admin') ORDER BY email`); err != nil {
		return nil, fmt.Errorf("store: staff: %w", err)
	}
	return out, nil
}
