package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/dargo-support/dargo/internal/useragent"
)

// Errors a magic link can meet besides ErrNotFound.
var (
	ErrTokenExpired = errors.New("store: sign-in link expired")
	ErrTokenUsed    = errors.New("store: sign-in link already used")
)

// LoginRequest is a magic link about to be mailed. Only the token's hash is
// stored; the link itself travels sealed to the worker.
type LoginRequest struct {
	TokenHash  string
	Email      string
	Next       string // where to go after signing in: a local path
	IP         string
	UserAgent  string
	SealedLink string
	TTL        time.Duration
	// Purpose is what confirming the link does: PurposeLogin (the default),
	// PurposeEmailChange (UserID's address becomes Email) or PurposeErase
	// (UserID's data is erased).
	Purpose string
	UserID  int64
	Subject string // the mail's subject; "" is the sign-in one
}

// What a mailed link does when confirmed.
const (
	PurposeLogin       = "login"
	PurposeEmailChange = "email_change"
	PurposeErase       = "erase"
	// PurposeEmailUndo gives an account back to the address it had before
	// an address change; it is mailed to that old address.
	PurposeEmailUndo = "email_undo"
)

// RequestLogin stores the token and queues its mail (outbox, then the
// critical queue) in one transaction. Known and unknown addresses take the
// same path: the user is created only when the link is confirmed.
func (db *DB) RequestLogin(ctx context.Context, r LoginRequest) error {
	if blocked, err := db.IsBlocked(ctx, NormalizeEmail(r.Email)); err != nil || blocked {
		return err // erased and not to be recreated: no link, same answer
	}
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.requestLogin(ctx, r) }); err != nil {
		return fmt.Errorf("store: request login: %w", err)
	}
	return nil
}

// requestLogin stores the token and queues the mail carrying its link.
func (tx *Tx) requestLogin(ctx context.Context, r LoginRequest) error {
	now := tx.db.Now()
	email := NormalizeEmail(r.Email)
	purpose, subject := r.Purpose, r.Subject
	if purpose == "" {
		purpose = PurposeLogin
	}
	if subject == "" {
		subject = "Your sign-in link"
	}
	if _, err := tx.ExecContext(ctx, tx.q(`INSERT INTO login_tokens (token_hash, email, next, ip, user_agent, created_at, expires_at, purpose, user_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), r.TokenHash, email, r.Next, r.IP, r.UserAgent, now, now.Add(r.TTL), purpose, nullID(r.UserID)); err != nil {
		return err
	}
	var userID *int64
	if err := tx.GetContext(ctx, &userID, tx.q(`SELECT COALESCE(merged_into, id) FROM users WHERE email = ?`), email); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if userID == nil && r.UserID != 0 {
		userID = &r.UserID // a link about an account, to another address, is that account's mail
	}
	_, _, err := tx.queueEmail(ctx, QueuedEmail{UserID: userID, To: email, Kind: EmailMagicLink,
		Subject: subject, Auto: true, Sealed: r.SealedLink})
	return err
}

// Login is a confirmed magic link about to become a session.
type Login struct {
	TokenHash   string
	SessionHash string
	// Replaces is the hash of the session the browser held before, ended
	// (as replaced) so that every login starts a fresh session.
	Replaces   string
	IP         string
	UserAgent  string
	Turnstile  string
	SessionTTL time.Duration
}

// LoggedIn is who signed in, where they asked to go, and until when.
type LoggedIn struct {
	User      *User
	Next      string
	ExpiresAt time.Time
}

// TokenEmail returns the address a still-usable token was sent to, or
// ErrNotFound, ErrTokenUsed or ErrTokenExpired. It changes nothing: the
// confirm page shows it before the person presses the button.
func (db *DB) TokenEmail(ctx context.Context, tokenHash string) (string, error) {
	return db.tokenEmail(ctx, db.X, tokenHash)
}

// tokenEmail is TokenEmail through q: inside a transaction, its own
// connection (a second one from the pool could wait for ever on SQLite).
func (db *DB) tokenEmail(ctx context.Context, q sqlx.QueryerContext, tokenHash string) (string, error) {
	t, err := db.token(ctx, q, tokenHash, PurposeLogin)
	if err != nil {
		return "", err
	}
	return t.Email, nil
}

// ConfirmLogin spends the token (once: a second confirm gets ErrTokenUsed),
// creates the user if the address is new (as a customer), starts a session,
// ends the one it replaces and records the login, all in one transaction.
func (db *DB) ConfirmLogin(ctx context.Context, l Login) (*LoggedIn, error) {
	now := db.Now()
	var out LoggedIn
	err := db.InTx(ctx, func(tx *Tx) error {
		var t struct {
			Email string `db:"email"`
			Next  string `db:"next"`
		}
		err := tx.GetContext(ctx, &t, tx.q(`UPDATE login_tokens SET used_at = ?
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? AND purpose = 'login' RETURNING email, next`), now, l.TokenHash, now)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = db.tokenEmail(ctx, tx, l.TokenHash)
			if err == nil {
				err = ErrTokenUsed // spent by a concurrent confirm
			}
			return err
		}
		if err != nil {
			return err
		}
		if blocked, err := db.isBlocked(ctx, tx, t.Email); err != nil || blocked {
			if err == nil {
				err = ErrNotFound // erased and not to be recreated
			}
			return err
		}
		var u User
		if err := tx.QueryRowxContext(ctx, tx.q(`INSERT INTO users (email, role, created_at, updated_at) VALUES (?, 'customer', ?, ?)
			ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING *`), t.Email, now, now).StructScan(&u); err != nil {
			return err
		}
		if u.MergedInto != nil { // the address is one of a person merged records became
			if err := tx.GetContext(ctx, &u, tx.q(`SELECT * FROM users WHERE id = ?`), *u.MergedInto); err != nil {
				return err
			}
		}
		// Mail sent before the account existed (this sign-in link) is theirs.
		if _, err := tx.ExecContext(ctx, tx.q(`UPDATE emails SET user_id = ? WHERE to_email = ? AND user_id IS NULL`), u.ID, t.Email); err != nil {
			return err
		}
		if l.Replaces != "" {
			if _, err := tx.ExecContext(ctx, tx.q(`UPDATE sessions SET ended_at = ?, end_reason = ? WHERE token_hash = ? AND `+liveSession),
				now, EndReplaced, l.Replaces, now); err != nil {
				return err
			}
		}
		out = LoggedIn{User: &u, Next: t.Next, ExpiresAt: now.Add(l.SessionTTL)}
		agent := useragent.Parse(l.UserAgent)
		if _, err := tx.ExecContext(ctx, tx.q(`INSERT INTO sessions (token_hash, user_id, ip, user_agent, browser, os, device, created_at, expires_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), l.SessionHash, u.ID, l.IP, l.UserAgent, agent.Browser, agent.OS, agent.Device,
			now, out.ExpiresAt, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, tx.q(`INSERT INTO logins (user_id, ip, user_agent, browser, os, device, turnstile, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			u.ID, l.IP, l.UserAgent, agent.Browser, agent.OS, agent.Device, l.Turnstile, now)
		if err != nil {
			return err
		}
		// The audit entry leaves the IP and browser to the logins table,
		// which retention trims.
		return tx.Audit(ctx, Audit{ActorID: u.ID, Action: AuditLogin, UserID: u.ID, Detail: map[string]any{"role": u.Role}})
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrTokenUsed) || errors.Is(err, ErrTokenExpired) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("store: confirm login: %w", err)
	}
	return &out, nil
}

// LoginToken is a mailed link as the confirm pages need it.
type LoginToken struct {
	Email     string     `db:"email"`
	Purpose   string     `db:"purpose"`
	UserID    *int64     `db:"user_id"`
	ExpiresAt time.Time  `db:"expires_at"`
	UsedAt    *time.Time `db:"used_at"`
}

// Token returns a usable token by its hash, or ErrNotFound, ErrTokenUsed or
// ErrTokenExpired; it changes nothing.
func (db *DB) Token(ctx context.Context, tokenHash string) (*LoginToken, error) {
	return db.token(ctx, db.X, tokenHash, "")
}

// token reads a token through q; with a purpose, a token for anything else
// is ErrNotFound.
func (db *DB) token(ctx context.Context, q sqlx.QueryerContext, tokenHash, purpose string) (*LoginToken, error) {
	var t LoginToken
	err := sqlx.GetContext(ctx, q, &t, db.q(`SELECT email, purpose, user_id, expires_at, used_at FROM login_tokens WHERE token_hash = ?`), tokenHash)
	if err != nil {
		return nil, notFound(err, "link")
	}
	if purpose != "" && t.Purpose != purpose {
		return nil, ErrNotFound
	}
	switch {
	case t.UsedAt != nil:
		return nil, ErrTokenUsed
	case !db.Now().Before(t.ExpiresAt):
		return nil, ErrTokenExpired
	}
	return &t, nil
}

// spendToken marks a token of the purpose used, inside tx, and returns it;
// a second spend gets ErrTokenUsed.
func (tx *Tx) spendToken(ctx context.Context, tokenHash, purpose string) (*LoginToken, error) {
	now := tx.db.Now()
	var t LoginToken
	err := tx.GetContext(ctx, &t, tx.q(`UPDATE login_tokens SET used_at = ?
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? AND purpose = ? RETURNING email, purpose, user_id, expires_at, used_at`),
		now, tokenHash, now, purpose)
	if errors.Is(err, sql.ErrNoRows) {
		if t, err := tx.db.token(ctx, tx, tokenHash, ""); err != nil {
			return nil, err
		} else if t.Purpose != purpose {
			return nil, ErrNotFound // a link for something else
		}
		return nil, ErrTokenUsed
	}
	if err != nil {
		return nil, fmt.Errorf("store: spend token: %w", err)
	}
	return &t, nil
}
