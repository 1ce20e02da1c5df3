package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Suppression is an address no mail is sent to: it bounced for good, or
// its owner complained.
type Suppression struct {
	Email     string    `db:"email"`
	Reason    string    `db:"reason"`
	Source    string    `db:"source"` // dsn, ses-bounce, ses-complaint…
	CreatedAt time.Time `db:"created_at"`
}

// Suppress puts an address on the suppression list; an existing entry keeps its first reason.
// A new entry is audited with the person's id when they are known (the
// address itself stays out of the audit log).
func (db *DB) Suppress(ctx context.Context, email, reason, source string) error {
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.suppress(ctx, email, reason, source) }); err != nil {
		return fmt.Errorf("store: suppress: %w", err)
	}
	return nil
}

// maxReturnedIDs bounds how many Message-IDs one report may ask about: a
// real report returns one mail, and a forged one must not build a query of
// thousands of parameters.
const maxReturnedIDs = 20

// SuppressIfSent suppresses an address only when one of the Message-IDs
// names a mail we sent to that same address: an emails row to it whose
// Message-ID we minted (header_id) or whose SES id is the one in SES's
// <sesid@…amazonses.com>. It reports whether such a mail was found (true
// also when the address was suppressed already). The check and the write
// are one transaction. Anyone can mail us a delivery report, so a report
// about our mail to ada must not cut off admin.
func (db *DB) SuppressIfSent(ctx context.Context, ids []string, email, reason, source string) (bool, error) {
	to := NormalizeEmail(email)
	var headerIDs, sesIDs []string
	for _, id := range canonicalIDs(ids) {
		if id == "" || len(headerIDs) == maxReturnedIDs {
			continue
		}
		headerIDs = append(headerIDs, id)
		if ses, ok := strings.CutSuffix(id, "@amazonses.com"); ok && ses != "" {
			sesIDs = append(sesIDs, ses)
		}
	}
	if to == "" || len(headerIDs) == 0 {
		return false, nil
	}
	query, args, err := sqlx.In(`SELECT COUNT(*) FROM emails WHERE to_email = ? AND header_id IN (?)`, to, headerIDs)
	if len(sesIDs) > 0 && err == nil {
		query, args, err = sqlx.In(`SELECT COUNT(*) FROM emails WHERE to_email = ? AND (header_id IN (?) OR ses_id IN (?))`, to, headerIDs, sesIDs)
	}
	if err != nil {
		return false, fmt.Errorf("store: suppress if sent: %w", err)
	}
	var sent bool
	err = db.InTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, tx.q(query), args...); err != nil {
			return err
		}
		if sent = n > 0; !sent {
			return nil
		}
		return tx.suppress(ctx, to, reason, source)
	})
	if err != nil {
		return false, fmt.Errorf("store: suppress if sent: %w", err)
	}
	return sent, nil
}

func (tx *Tx) suppress(ctx context.Context, email, reason, source string) error {
	to := NormalizeEmail(email)
	res, err := tx.ExecContext(ctx, tx.q(`INSERT INTO suppressions (email, reason, source, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (email) DO NOTHING`), to, reason, source, tx.db.Now())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	userID, err := tx.userIDByEmail(ctx, to)
	if err != nil {
		return err
	}
	return tx.Audit(ctx, Audit{Action: AuditSuppress, UserID: userID, Detail: map[string]any{"source": source}})
}

// userIDByEmail is the id of the user with this (normalized) address, 0 for none.
func (tx *Tx) userIDByEmail(ctx context.Context, email string) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, tx.q(`SELECT COALESCE(MAX(id), 0) FROM users WHERE email = ?`), email)
	return id, err
}

// IsSuppressed reports whether mail to the address must not be sent.
func (db *DB) IsSuppressed(ctx context.Context, email string) (bool, error) {
	var n int
	if err := db.X.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM suppressions WHERE email = ?`), NormalizeEmail(email)); err != nil {
		return false, fmt.Errorf("store: is suppressed: %w", err)
	}
	return n > 0, nil
}

// SuppressionQuery selects suppressions, newest first.
type SuppressionQuery struct {
	Contains string // part of the address; "" is every address
	Limit    int    // 0 is all of them
}

// Suppressions returns the suppression list, newest first.
func (db *DB) Suppressions(ctx context.Context, q SuppressionQuery) ([]Suppression, error) {
	where, args := "", []any{}
	if c := NormalizeEmail(q.Contains); c != "" {
		r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
		where, args = `WHERE email LIKE ? ESCAPE '\'`, append(args, "%"+r.Replace(c)+"%")
	}
	limit := ""
	if q.Limit > 0 {
		limit, args = "LIMIT ?", append(args, q.Limit)
	}
	out := []Suppression{}
	err := db.X.SelectContext(ctx, &out, db.q(`SELECT email, reason, source, created_at FROM suppressions `+where+
		` ORDER BY created_at DESC, email `+limit), args...)
	if err != nil {
		return nil, fmt.Errorf("store: suppressions: %w", err)
	}
	return out, nil
}

// Where a suppression was lifted, for the audit log.
const (
	LiftedOnWeb = "web"
	LiftedByCLI = "cli"
)

// Unsuppress lifts the suppression of an address, so mail goes to it again;
// it returns the entry removed, or ErrNotFound when the address was not
// suppressed. The audit entry names the actor (0: the command line) and
// the person by id; an address no user has is recorded as one removal
// ("removed": 1) and nothing else: no address, and no hash of it either,
// since anyone guessing the address could confirm a hash and it would
// outlive an erasure.
func (db *DB) Unsuppress(ctx context.Context, email string, actorID int64, via string) (*Suppression, error) {
	to := NormalizeEmail(email)
	var s Suppression
	err := db.InTx(ctx, func(tx *Tx) error {
		err := tx.GetContext(ctx, &s, tx.q(`DELETE FROM suppressions WHERE email = ? RETURNING email, reason, source, created_at`), to)
		if err != nil {
			return notFound(err, "suppression")
		}
		userID, err := tx.userIDByEmail(ctx, to)
		if err != nil {
			return fmt.Errorf("store: unsuppress: %w", err)
		}
		return tx.Audit(ctx, Audit{ActorID: actorID, Action: AuditUnsuppress, UserID: userID,
			Detail: map[string]any{"source": s.Source, "via": via, "removed": 1}})
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}
