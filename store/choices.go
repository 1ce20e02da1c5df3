package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Kinds of processing a person may object to (the privacy policy's
// "Objection"): optional mail, and usage analytics.
const (
	ChoiceMail      = "mail"
	ChoiceAnalytics = "analytics"
)

// ChoiceKinds lists every kind of choice, in the order pages show them.
var ChoiceKinds = []string{ChoiceMail, ChoiceAnalytics}

// Where a choice was made, for the audit log.
const (
	ChoiceViaAccount = "account" // the person, on /account
	ChoiceViaStaff   = "staff"   // staff, recording an objection received by mail
)

// ErrUnknownChoice is returned for a kind that is not in ChoiceKinds.
var ErrUnknownChoice = errors.New("store: unknown kind of choice")

// Choice is a person's choice about one kind of processing. A kind never
// changed is not objected to, with no time.
type Choice struct {
	Kind      string     `db:"kind" json:"kind"`
	Objected  bool       `db:"objected" json:"objected"`
	ChangedAt *time.Time `db:"changed_at" json:"changed_at"`
	ChangedBy *int64     `db:"changed_by" json:"-"` // nil: the person themself; else the staff member who recorded it
}

// SetChoice records whether the person objects to the kind of processing.
// actorID is the staff member who records an objection received by mail,
// 0 when it is the person themself; via says where (ChoiceViaAccount,
// ChoiceViaStaff). It reports whether anything changed: setting a choice
// to what it is already writes nothing, keeps its time and is not audited.
func (db *DB) SetChoice(ctx context.Context, userID int64, kind string, objected bool, actorID int64, via string) (bool, error) {
	if !slices.Contains(ChoiceKinds, kind) {
		return false, fmt.Errorf("%w: %q", ErrUnknownChoice, kind)
	}
	changed := false
	err := db.InTx(ctx, func(tx *Tx) error {
		var was []bool
		if err := tx.SelectContext(ctx, &was, tx.q(`SELECT objected FROM user_choices WHERE user_id = ? AND kind = ?`), userID, kind); err != nil {
			return err
		}
		// Never changed means allowed: allowing it again writes nothing,
		// and neither does repeating a choice (its time stays).
		if changed = len(was) == 0 && objected || len(was) > 0 && was[0] != objected; !changed {
			return nil
		}
		_, err := tx.ExecContext(ctx, tx.q(`INSERT INTO user_choices (user_id, kind, objected, changed_at, changed_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id, kind) DO UPDATE SET objected = excluded.objected, changed_at = excluded.changed_at, changed_by = excluded.changed_by`),
			userID, kind, objected, db.Now(), nullID(actorID))
		if err != nil {
			return err
		}
		detail := map[string]any{"kind": kind, "objected": objected, "via": via}
		if kind == ChoiceAnalytics && objected {
			// An objection to analytics also takes back what was recorded
			// before it: the person's raw events go now (the day counts
			// already made from them hold no one).
			n, err := tx.eraseUsage(ctx, userID)
			if err != nil {
				return err
			}
			detail["usage_events_deleted"] = n
		}
		actor := actorID
		if actor == 0 {
			actor = userID
		}
		return tx.Audit(ctx, Audit{ActorID: actor, Action: AuditChoice, UserID: userID, Detail: detail})
	})
	if err != nil {
		return false, fmt.Errorf("store: set choice: %w", err)
	}
	return changed, nil
}

// Choices returns the person's choice of every kind, in ChoiceKinds' order.
func (db *DB) Choices(ctx context.Context, userID int64) ([]Choice, error) {
	var rows []Choice
	if err := db.X.SelectContext(ctx, &rows, db.q(`SELECT kind, objected, changed_at, changed_by FROM user_choices WHERE user_id = ?`), userID); err != nil {
		return nil, fmt.Errorf("store: choices: %w", err)
	}
	out := make([]Choice, len(ChoiceKinds))
	for i, kind := range ChoiceKinds {
		out[i] = Choice{Kind: kind}
		for _, r := range rows {
			if r.Kind == kind {
				out[i] = r
			}
		}
	}
	return out, nil
}

// Objects reports whether the person objects to the kind of processing.
func (db *DB) Objects(ctx context.Context, userID int64, kind string) (bool, error) {
	if !slices.Contains(ChoiceKinds, kind) {
		return false, fmt.Errorf("store: objects: %w: %q", ErrUnknownChoice, kind)
	}
	var n int
	err := db.X.GetContext(ctx, &n, db.q(`SELECT COUNT(*) FROM user_choices WHERE user_id = ? AND kind = ? AND objected`), userID, kind)
	if err != nil {
		return false, fmt.Errorf("store: objects: %w", err)
	}
	return n > 0, nil
}
