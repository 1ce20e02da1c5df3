package store

import (
	"context"
	"fmt"
)

// CustomerMerge is what a merge moved, in counts.
type CustomerMerge struct {
	KeepID, MergeID int64
	Address         string // the merged record's address, now one of the kept person's
	Tickets         int    // tickets they were the customer of
	Participations  int    // tickets they took part in (as customer or cc)
	Messages        int    // messages they wrote
	Sessions        int    // sessions, live or ended
}

// mergeMoves are the rows a merge hands to the kept person, by table.
// Rows keyed by (user, something) move unless the kept person already has
// one for the same thing; what is left is deleted. Choices are merged first
// (an objection on either record stands). The audit log keeps naming the
// merged record by id, as it did when the entries were made; suppressions
// are per address and stay as they are.
var mergeMoves = []struct{ table, key string }{
	{"participants", "ticket_id"},
	{"participant_removals", "ticket_id"},
	{"drafts", "ticket_id"},
	{"ticket_reads", "ticket_id"},
	{"reply_keys", "idem_key"},
	{"policy_dismissals", "policy_version_id"},
	{"user_choices", "kind"},
	{"ratings", "ticket_id"},
	{"sessions", ""},
	{"logins", ""},
	{"login_tokens", ""},
	{"emails", ""},
	{"staged_files", ""},
}

// MergeCustomers merges the customer mergeID into keepID, in one
// transaction: the merged record's address becomes one of the kept
// person's (its row stays as a tombstone, merged_into the kept one, so that
// every lookup by that address finds the kept person: inbound mail, sign-in
// links, export, erasure), and its tickets, messages, participations,
// sessions, sign-ins, links, mails, drafts and choices move to them. Staff
// accounts, erased or already merged records, and a record into itself are
// refused with ErrInvalidChange. There is no undo.
func (db *DB) MergeCustomers(ctx context.Context, keepID, mergeID, staffID int64) (*CustomerMerge, error) {
	out := &CustomerMerge{KeepID: keepID, MergeID: mergeID}
	err := db.InTx(ctx, func(tx *Tx) error { return tx.mergeCustomers(ctx, out, staffID) })
	if err != nil {
		return nil, fmt.Errorf("store: merge customers: %w", err)
	}
	return out, nil
}

// PlanMerge checks a merge as MergeCustomers would and counts what it
// would move, changing nothing: the confirmation page shows it.
func (db *DB) PlanMerge(ctx context.Context, keepID, mergeID int64) (*CustomerMerge, error) {
	out := &CustomerMerge{KeepID: keepID, MergeID: mergeID}
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.planMerge(ctx, out) }); err != nil {
		return nil, fmt.Errorf("store: plan merge: %w", err)
	}
	return out, nil
}

func (tx *Tx) mergeCustomers(ctx context.Context, out *CustomerMerge, staffID int64) error {
	keep, merge := out.KeepID, out.MergeID
	// Both rows are written (updated_at), which locks them for the rest of
	// the transaction on PostgreSQL before anything is checked.
	if _, err := tx.ExecContext(ctx, tx.q(`UPDATE users SET updated_at = ? WHERE id IN (?, ?)`), tx.db.Now(), keep, merge); err != nil {
		return err
	}
	if err := tx.planMerge(ctx, out); err != nil {
		return err
	}
	// An objection on either record stands for the person.
	if _, err := tx.ExecContext(ctx, tx.q(`UPDATE user_choices SET objected = ?, changed_at = ?, changed_by = ?
		WHERE user_id = ? AND objected = ? AND kind IN (SELECT kind FROM user_choices WHERE user_id = ? AND objected = ?)`),
		true, tx.db.Now(), staffID, keep, false, merge, true); err != nil {
		return err
	}
	steps := []mergeStep{
		{`UPDATE tickets SET customer_id = ? WHERE customer_id = ?`, []any{keep, merge}},
		{`UPDATE messages SET author_id = ? WHERE author_id = ?`, []any{keep, merge}},
	}
	for _, m := range mergeMoves {
		if m.key == "" {
			steps = append(steps, mergeStep{`UPDATE ` + m.table + ` SET user_id = ? WHERE user_id = ?`, []any{keep, merge}})
			continue
		}
		steps = append(steps, mergeStep{`UPDATE ` + m.table + ` SET user_id = ? WHERE user_id = ? AND NOT EXISTS
			(SELECT 1 FROM ` + m.table + ` k WHERE k.user_id = ? AND k.` + m.key + ` = ` + m.table + `.` + m.key + `)`, []any{keep, merge, keep}},
			mergeStep{`DELETE FROM ` + m.table + ` WHERE user_id = ?`, []any{merge}})
	}
	steps = append(steps,
		mergeStep{`UPDATE participants SET role = 'customer' WHERE user_id = ? AND ticket_id IN (SELECT id FROM tickets WHERE customer_id = ?)`, []any{keep, keep}},
		// Records merged into the merged one before are the kept person's
		// too: lookups follow merged_into one step.
		mergeStep{`UPDATE users SET merged_into = ? WHERE merged_into = ?`, []any{keep, merge}},
		mergeStep{`UPDATE users SET merged_into = ? WHERE id = ?`, []any{keep, merge}})
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, tx.q(s.query), s.args...); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, Audit{ActorID: staffID, Action: AuditCustomerMerge, UserID: keep, Detail: map[string]any{
		"merged": merge, "tickets": out.Tickets, "participations": out.Participations, "messages": out.Messages, "sessions": out.Sessions}})
}

type mergeStep struct {
	query string
	args  []any
}

// planMerge refuses what cannot be merged and counts what would move.
func (tx *Tx) planMerge(ctx context.Context, out *CustomerMerge) error {
	keep, merge := out.KeepID, out.MergeID
	if keep == merge {
		return fmt.Errorf("%w: a customer cannot be merged into themselves", ErrInvalidChange)
	}
	var users []User
	if err := tx.SelectContext(ctx, &users, tx.q(`SELECT * FROM users WHERE id IN (?, ?)`), keep, merge); err != nil {
		return err
	}
	if len(users) != 2 {
		return fmt.Errorf("merge %d into %d: %w", merge, keep, ErrNotFound)
	}
	for _, u := range users {
		switch {
		case u.Role != RoleCustomer:
			return fmt.Errorf("%w: %s is %s, not a customer", ErrInvalidChange, u.Email, u.Role)
		case u.ErasedAt != nil:
			return fmt.Errorf("%w: user %d is erased", ErrInvalidChange, u.ID)
		case u.MergedInto != nil:
			return fmt.Errorf("%w: user %d was merged into user %d", ErrInvalidChange, u.ID, *u.MergedInto)
		}
		if u.ID == merge {
			out.Address = u.Email
		}
	}
	counts := []struct {
		n     *int
		query string
	}{
		{&out.Tickets, `SELECT COUNT(*) FROM tickets WHERE customer_id = ?`},
		{&out.Participations, `SELECT COUNT(*) FROM participants WHERE user_id = ?`},
		{&out.Messages, `SELECT COUNT(*) FROM messages WHERE author_id = ?`},
		{&out.Sessions, `SELECT COUNT(*) FROM sessions WHERE user_id = ?`},
	}
	for _, c := range counts {
		if err := tx.GetContext(ctx, c.n, tx.q(c.query), merge); err != nil {
			return err
		}
	}
	return nil
}
