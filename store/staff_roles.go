package store

import (
	"context"
	"errors"
	"fmt"
)

// ErrLastAdmin refuses a change that would leave the desk without an admin.
var ErrLastAdmin = errors.New("store: the last admin cannot stop being one")

// ErrBadRole is a role other than customer, staff or admin.
var ErrBadRole = errors.New("store: unknown role")

// ErrAddressBlocked is an erased address that asked never to be recreated.
var ErrAddressBlocked = errors.New("store: the address was erased and may not be recreated")

// RoleChange is what an admin changed: the user as they are now and the
// role they had before.
type RoleChange struct {
	User *User
	From string
}

// ChangeRole gives user id a role on the admin actorID's behalf, audited
// with the actor. It refuses (ErrLastAdmin) to take the role from the only
// admin, and returns ErrNotFound for an unknown or erased user.
func (db *DB) ChangeRole(ctx context.Context, actorID, id int64, role string) (*RoleChange, error) {
	if !validRole(role) {
		return nil, ErrBadRole
	}
	var c RoleChange
	err := db.InTx(ctx, func(tx *Tx) error {
		admins, err := tx.lockAdmins(ctx)
		if err != nil {
			return err
		}
		var u User
		if err := tx.GetContext(ctx, &u, tx.q(`SELECT * FROM users WHERE id = ? AND erased_at IS NULL`), id); err != nil {
			return notFound(err, fmt.Sprintf("user %d", id))
		}
		c, err = tx.setRole(ctx, actorID, &u, role, admins)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: change role: %w", err)
	}
	return &c, nil
}

// Invitation is an address an admin makes staff or admin, and the sign-in
// link mailed to it (Login.Email is the address).
type Invitation struct {
	ActorID int64
	Role    string // staff or admin
	Login   LoginRequest
}

// Invite gives the invitation's address its role, creating the user when
// needed, and queues the mail with its sign-in link, in one transaction
// audited with the admin as actor. An erased address is refused
// (ErrAddressBlocked); demoting the last admin by inviting them as staff
// is refused too (ErrLastAdmin).
func (db *DB) Invite(ctx context.Context, inv Invitation) (*RoleChange, error) {
	if inv.Role != RoleStaff && inv.Role != RoleAdmin {
		return nil, ErrBadRole
	}
	email := NormalizeEmail(inv.Login.Email)
	var c RoleChange
	err := db.InTx(ctx, func(tx *Tx) error {
		if blocked, err := tx.db.isBlocked(ctx, tx, email); err != nil {
			return err
		} else if blocked {
			return ErrAddressBlocked
		}
		admins, err := tx.lockAdmins(ctx)
		if err != nil {
			return err
		}
		now := tx.db.Now()
		var u User
		err = tx.QueryRowxContext(ctx, tx.q(`INSERT INTO users (email, role, created_at, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (email) DO UPDATE SET updated_at = users.updated_at
			RETURNING *`), email, RoleCustomer, now, now).StructScan(&u)
		if err != nil {
			return err
		}
		if u.ErasedAt != nil {
			return ErrAddressBlocked
		}
		if c, err = tx.setRole(ctx, inv.ActorID, &u, inv.Role, admins); err != nil {
			return err
		}
		inv.Login.Email = email
		return tx.requestLogin(ctx, inv.Login)
	})
	if err != nil {
		return nil, fmt.Errorf("store: invite: %w", err)
	}
	return &c, nil
}

// lockAdmins returns the admins' ids. On PostgreSQL their rows stay locked
// until the transaction ends, so two admins demoting each other at once
// cannot both succeed: the second sees one admin left (SQLite's transaction
// holds the write lock already). The admins are locked before any other
// user row, always in this order, so such changes never deadlock.
func (tx *Tx) lockAdmins(ctx context.Context) ([]int64, error) {
	lock := `SELECT id FROM users WHERE role = 'admin' AND erased_at IS NULL ORDER BY id`
	if tx.db.Dialect == Postgres {
		lock += ` FOR UPDATE`
	}
	var admins []int64
	if err := tx.SelectContext(ctx, &admins, lock); err != nil {
		return nil, err
	}
	return admins, nil
}

// setRole changes u's role, refusing to leave none of admins, and audits
// it with the actor.
func (tx *Tx) setRole(ctx context.Context, actorID int64, u *User, role string, admins []int64) (RoleChange, error) {
	c := RoleChange{User: u, From: u.Role}
	if u.Role == role {
		return c, nil // nothing changes, nothing to audit
	}
	if u.Role == RoleAdmin && len(admins) <= 1 {
		return c, ErrLastAdmin
	}
	now := tx.db.Now()
	if _, err := tx.ExecContext(ctx, tx.q(`UPDATE users SET role = ?, updated_at = ? WHERE id = ?`), role, now, u.ID); err != nil {
		return c, err
	}
	u.Role, u.UpdatedAt = role, now
	return c, tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditRoleChange, UserID: u.ID,
		Detail: map[string]any{"role": role, "from": c.From}})
}

func validRole(role string) bool {
	return role == RoleCustomer || role == RoleStaff || role == RoleAdmin
}
