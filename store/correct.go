package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrAddressTaken is an address change to an address another user has.
var ErrAddressTaken = errors.New("store: address belongs to another account")

// ChangeName corrects a person's name, audited (without the names).
func (db *DB) ChangeName(ctx context.Context, actorID, userID int64, name string) error {
	name = strings.TrimSpace(name)
	return db.InTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, tx.q(`UPDATE users SET name = ?, updated_at = ? WHERE id = ? AND erased_at IS NULL`), name, db.Now(), userID)
		if err != nil {
			return fmt.Errorf("store: change name: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditNameChange, UserID: userID})
	})
}

// ChangeEmail spends an email-change token and moves its user to the
// address the link was mailed to: tickets, sessions and history stay with
// the account. It returns the user.
func (db *DB) ChangeEmail(ctx context.Context, tokenHash string) (*User, error) {
	var u User
	err := db.InTx(ctx, func(tx *Tx) error {
		t, err := tx.spendToken(ctx, tokenHash, PurposeEmailChange)
		if err != nil {
			return err
		}
		if t.UserID == nil {
			return ErrNotFound
		}
		var taken int
		if err := tx.GetContext(ctx, &taken, tx.q(`SELECT COUNT(*) FROM users WHERE email = ? AND id <> ?`), t.Email, *t.UserID); err != nil {
			return err
		}
		if taken > 0 {
			return ErrAddressTaken
		}
		var old string
		if err := tx.GetContext(ctx, &old, tx.q(`SELECT email FROM users WHERE id = ? AND erased_at IS NULL`), *t.UserID); err != nil {
			return notFound(err, "user")
		}
		err = tx.QueryRowxContext(ctx, tx.q(`UPDATE users SET email = ?, updated_at = ? WHERE id = ? RETURNING *`),
			t.Email, db.Now(), *t.UserID).StructScan(&u)
		if err != nil {
			return err
		}
		// What was kept under the old address stays findable through the
		// account (export, erasure); the old address's links die.
		if _, err := tx.ExecContext(ctx, tx.q(`UPDATE emails SET user_id = ? WHERE to_email = ? AND user_id IS NULL`), u.ID, old); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.q(`DELETE FROM login_tokens WHERE email = ?`), old); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.q(`DELETE FROM dev_mail WHERE recipients = ?`), old); err != nil {
			return err
		}
		// Mail queued for the old address stays addressed to it; mail from
		// now on goes to the new one.
		return tx.Audit(ctx, Audit{ActorID: u.ID, Action: AuditEmailChange, UserID: u.ID})
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// SpendEraseToken spends an erasure link and returns whose data to erase.
func (db *DB) SpendEraseToken(ctx context.Context, tokenHash string) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(tx *Tx) error {
		t, err := tx.spendToken(ctx, tokenHash, PurposeErase)
		if err != nil {
			return err
		}
		if t.UserID == nil {
			return ErrNotFound
		}
		id = *t.UserID
		return tx.Audit(ctx, Audit{ActorID: id, Action: AuditErasureConfirm, UserID: id})
	})
	return id, err
}
