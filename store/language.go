package store

import (
	"context"
	"fmt"
)

// firstLanguage records lang as the person's language when none is
// recorded yet: the first mail that tells one sets it, later mail never
// overwrites it (the person changes it on /account).
func (tx *Tx) firstLanguage(ctx context.Context, userID int64, lang string) error {
	if lang == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, tx.q(`UPDATE users SET language = ? WHERE id = ? AND language = ''`), lang, userID); err != nil {
		return fmt.Errorf("store: record language: %w", err)
	}
	return nil
}

// SetLanguage sets the language a person is written to in; the caller
// checks lang is supported. ErrNotFound when there is no such live person.
func (db *DB) SetLanguage(ctx context.Context, userID int64, lang string) error {
	res, err := db.X.ExecContext(ctx, db.q(`UPDATE users SET language = ?, updated_at = ? WHERE id = ? AND erased_at IS NULL`), lang, db.Now(), userID)
	if err != nil {
		return fmt.Errorf("store: set language: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
