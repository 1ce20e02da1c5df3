package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
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

// AddressChangeWindow is how long after an address change the old address
// can undo it, and must also confirm an erasure of the account.
const AddressChangeWindow = 7 * 24 * time.Hour

// AddressUndo is the undo link a confirmed address change mails to the old
// address: its hash, and the link sealed for the worker.
type AddressUndo struct {
	TokenHash  string
	SealedLink string
}

// ChangeEmail spends an email-change token and moves its user to the
// address the link was mailed to: tickets and history stay with the
// account. Every session of the account ends (a stolen one too), and the
// old address is mailed a notice with the undo link, which works for
// AddressChangeWindow. It returns the user.
func (db *DB) ChangeEmail(ctx context.Context, tokenHash string, undo AddressUndo) (*User, error) {
	if undo.TokenHash == "" || undo.SealedLink == "" {
		return nil, errors.New("store: change email: no undo link")
	}
	now := db.Now()
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
			t.Email, now, *t.UserID).StructScan(&u)
		if err != nil {
			return err
		}
		// What was kept under the old address stays findable through the
		// account (export, erasure); the old address's links die, except
		// the undo links of earlier changes.
		if _, err := tx.ExecContext(ctx, tx.q(`UPDATE emails SET user_id = ? WHERE to_email = ? AND user_id IS NULL`), u.ID, old); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.q(`DELETE FROM login_tokens WHERE email = ? AND purpose <> ?`), old, PurposeEmailUndo); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.q(`DELETE FROM dev_mail WHERE recipients = ?`), old); err != nil {
			return err
		}
		ended, err := tx.endSessions(ctx, u.ID, EndRevoked)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.q(`INSERT INTO login_tokens (token_hash, email, next, ip, user_agent, created_at, expires_at, purpose, user_id)
			VALUES (?, ?, '', '', '', ?, ?, ?, ?)`), undo.TokenHash, old, now, now.Add(AddressChangeWindow), PurposeEmailUndo, u.ID); err != nil {
			return err
		}
		// Mail queued for the old address before stays addressed to it;
		// mail from now on goes to the new one, but for this notice.
		if _, _, err := tx.queueEmail(ctx, QueuedEmail{UserID: &u.ID, To: old, Kind: EmailMagicLink,
			Subject: AddressChangedSubject, Auto: true, Sealed: undo.SealedLink}); err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: u.ID, Action: AuditEmailChange, UserID: u.ID, Detail: map[string]any{"sessions_ended": ended}})
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// AddressChangedSubject is the subject of the notice an address change
// mails to the old address.
const AddressChangedSubject = "Your address was changed"

// UndoEmailChange spends an undo link: the account gets back the address
// the link was mailed to, every session ends again, and what was pending
// since (address-change and erase links, undo links of later changes)
// dies. Undo links of earlier changes stay. An empty account made with the
// address since the change is folded in (see freeAddress); any other
// holder of the address makes it ErrAddressTaken. It returns the user.
func (db *DB) UndoEmailChange(ctx context.Context, tokenHash string) (*User, error) {
	now := db.Now()
	var u User
	err := db.InTx(ctx, func(tx *Tx) error {
		t, err := tx.spendToken(ctx, tokenHash, PurposeEmailUndo)
		if err != nil {
			return err
		}
		if t.UserID == nil {
			return ErrNotFound
		}
		var issued time.Time
		if err := tx.GetContext(ctx, &issued, tx.q(`SELECT created_at FROM login_tokens WHERE token_hash = ?`), tokenHash); err != nil {
			return err
		}
		if err := tx.freeAddress(ctx, t.Email, *t.UserID, issued); err != nil {
			return err
		}
		err = tx.QueryRowxContext(ctx, tx.q(`UPDATE users SET email = ?, updated_at = ? WHERE id = ? AND erased_at IS NULL RETURNING *`),
			t.Email, now, *t.UserID).StructScan(&u)
		if err != nil {
			return notFound(err, "user")
		}
		if _, err := tx.ExecContext(ctx, tx.q(`DELETE FROM login_tokens WHERE user_id = ? AND token_hash <> ?
			AND (purpose IN (?, ?) OR (purpose = ? AND created_at >= ?))`),
			u.ID, tokenHash, PurposeEmailChange, PurposeErase, PurposeEmailUndo, issued); err != nil {
			return err
		}
		ended, err := tx.endSessions(ctx, u.ID, EndRevoked)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, Audit{ActorID: u.ID, Action: AuditEmailUndo, UserID: u.ID, Detail: map[string]any{"sessions_ended": ended}})
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// freeAddress makes room for an undo: when another account has the address
// now, it must be a customer account made since the change (issued) — the
// owner, locked out, who signed in or wrote to support from the old address
// before finding the notice, or someone who mailed us pretending to be them.
// It is folded into the account: its tickets, messages and mails move over
// and it is left erased. Any other account keeps the address and the undo is
// refused with ErrAddressTaken.
func (tx *Tx) freeAddress(ctx context.Context, email string, userID int64, issued time.Time) error {
	var other User
	err := tx.GetContext(ctx, &other, tx.q(`SELECT * FROM users WHERE email = ? AND id <> ?`), email, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if other.Role != RoleCustomer || other.CreatedAt.Before(issued) {
		return ErrAddressTaken
	}
	now := tx.db.Now()
	for _, st := range []struct {
		query string
		args  []any
	}{
		// What the address gathered since the change comes home with it:
		// one mail from it (even forged) must not block the undo.
		{`UPDATE tickets SET customer_id = ? WHERE customer_id = ?`, []any{userID, other.ID}},
		{`INSERT INTO participants (ticket_id, user_id, role, created_at) SELECT ticket_id, ?, role, created_at FROM participants WHERE user_id = ?
			ON CONFLICT (ticket_id, user_id) DO NOTHING`, []any{userID, other.ID}},
		{`DELETE FROM participants WHERE user_id = ?`, []any{other.ID}},
		{`UPDATE messages SET author_id = ? WHERE author_id = ?`, []any{userID, other.ID}},
		{`UPDATE activity SET actor_id = ? WHERE actor_id = ?`, []any{userID, other.ID}},
		{`UPDATE emails SET user_id = ? WHERE user_id = ?`, []any{userID, other.ID}},
		{`DELETE FROM sessions WHERE user_id = ?`, []any{other.ID}},
		{`DELETE FROM logins WHERE user_id = ?`, []any{other.ID}},
		{`DELETE FROM login_tokens WHERE user_id = ?`, []any{other.ID}},
		{`UPDATE users SET email = ?, name = '', erased_at = ?, updated_at = ? WHERE id = ?`,
			[]any{fmt.Sprintf("erased-%d@erased.invalid", other.ID), now, now, other.ID}},
	} {
		if _, err := tx.ExecContext(ctx, tx.q(st.query), st.args...); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, Audit{ActorID: userID, Action: AuditErase, UserID: other.ID, Detail: map[string]any{"folded_into": userID}})
}

// MaskEmail shows enough of an address to recognise it and not enough to
// learn it: "ada.lovelace@example.com" is "a***@example.com".
func MaskEmail(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return "***"
	}
	first, _ := utf8.DecodeRuneInString(local)
	return string(first) + "***@" + domain
}

// EraseConfirmers lists the addresses that must each confirm an erasure of
// the user: the current one, and every address the account had within
// AddressChangeWindow (an undo link to it is still open). A session stolen
// and moved to the thief's mailbox is not enough to erase the account.
func (db *DB) EraseConfirmers(ctx context.Context, userID int64) ([]string, error) {
	return db.eraseConfirmers(ctx, db.X, userID)
}

func (db *DB) eraseConfirmers(ctx context.Context, q sqlx.QueryerContext, userID int64) ([]string, error) {
	var out []string
	err := sqlx.SelectContext(ctx, q, &out, db.q(`SELECT email FROM users WHERE id = ? AND erased_at IS NULL
		UNION SELECT email FROM login_tokens WHERE user_id = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`),
		userID, userID, PurposeEmailUndo, db.Now())
	if err != nil {
		return nil, fmt.Errorf("store: erase confirmers: %w", err)
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	slices.Sort(out)
	return out, nil
}

// EraseConsent is what spending an erase link decided: whose data, and
// which addresses have still to confirm (none: erase now).
type EraseConsent struct {
	UserID  int64
	Waiting []string
}

// SpendEraseToken spends an erasure link and returns whose data to erase
// and which of EraseConfirmers have not confirmed yet (each within its
// link's lifetime). The erasure may go ahead only when none is waiting.
func (db *DB) SpendEraseToken(ctx context.Context, tokenHash string) (*EraseConsent, error) {
	var out EraseConsent
	err := db.InTx(ctx, func(tx *Tx) error {
		t, err := tx.spendToken(ctx, tokenHash, PurposeErase)
		if err != nil {
			return err
		}
		if t.UserID == nil {
			return ErrNotFound
		}
		out.UserID = *t.UserID
		// Two confirmations at once: the second waits here for the first
		// to commit, and then sees it.
		if _, err := tx.ExecContext(ctx, tx.q(`UPDATE users SET updated_at = updated_at WHERE id = ?`), out.UserID); err != nil {
			return err
		}
		need, err := db.eraseConfirmers(ctx, tx, out.UserID)
		if err != nil {
			return err
		}
		for _, addr := range need {
			var n int
			if err := tx.GetContext(ctx, &n, tx.q(`SELECT COUNT(*) FROM login_tokens WHERE user_id = ? AND purpose = ? AND email = ?
				AND used_at IS NOT NULL AND expires_at > ?`), out.UserID, PurposeErase, addr, db.Now()); err != nil {
				return err
			}
			if n == 0 {
				out.Waiting = append(out.Waiting, addr)
			}
		}
		return tx.Audit(ctx, Audit{ActorID: out.UserID, Action: AuditErasureConfirm, UserID: out.UserID,
			Detail: map[string]any{"waiting": len(out.Waiting)}})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
