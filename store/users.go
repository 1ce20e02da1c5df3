package store

import (
	"context"
	"fmt"
)

// UserByID returns the user with this id.
func (db *DB) UserByID(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := db.X.GetContext(ctx, &u, db.q(`SELECT * FROM users WHERE id = ?`), id); err != nil {
		return nil, notFound(err, fmt.Sprintf("user %d", id))
	}
	return &u, nil
}

// UserByEmail returns the user with this address (case-insensitive): for
// the address of a record merged into another, the person it was merged
// into.
func (db *DB) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	if err := db.X.GetContext(ctx, &u, db.q(`SELECT * FROM users WHERE id = (SELECT COALESCE(merged_into, id) FROM users WHERE email = ?)`),
		NormalizeEmail(email)); err != nil {
		return nil, notFound(err, "user "+email)
	}
	return &u, nil
}

// EnsureUser returns the user with this address, creating it with the role
// (and name) when absent; an existing user keeps its role.
func (db *DB) EnsureUser(ctx context.Context, email, name, role string) (*User, error) {
	now := db.Now()
	var u User
	err := db.X.QueryRowxContext(ctx, db.q(`INSERT INTO users (email, name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (email) DO UPDATE SET name = CASE WHEN users.name = '' THEN excluded.name ELSE users.name END
		RETURNING *`), NormalizeEmail(email), name, role, now, now).StructScan(&u)
	if err != nil {
		return nil, fmt.Errorf("store: ensure user: %w", err)
	}
	return &u, nil
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
