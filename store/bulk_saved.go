package store

import (
	"context"
	"fmt"
	"slices"
)

// ErrNoActions is a saved reply with no actions to apply in bulk.
var ErrNoActions = fmt.Errorf("%w: the saved reply has no actions", ErrInvalidChange)

// savedForBulk is the saved reply a BulkSavedReply action applies: one
// the actor may use (ErrNotFound otherwise) that has actions
// (ErrNoActions otherwise).
func (db *DB) savedForBulk(ctx context.Context, a BulkAction) (*SavedReply, error) {
	s, err := db.SavedReply(ctx, a.ActorID, a.SavedReply)
	if err != nil {
		return nil, err
	}
	if !s.HasActions() {
		return nil, ErrNoActions
	}
	return s, nil
}

// planSavedBulk is PlanBulk for a saved reply's actions: a ticket changes
// when any of them would change it.
func (db *DB) planSavedBulk(ctx context.Context, numbers []int64, rows map[int64]*bulkRow, a BulkAction) (*BulkPlan, error) {
	s, err := db.savedForBulk(ctx, a)
	if err != nil {
		return nil, err
	}
	var tags map[int64][]string
	if len(s.Tags()) > 0 {
		ids := make([]int64, 0, len(rows))
		for _, t := range rows {
			ids = append(ids, t.ID)
		}
		if tags, err = db.ticketsTags(ctx, ids); err != nil {
			return nil, fmt.Errorf("store: plan bulk: %w", err)
		}
	}
	plan := &BulkPlan{}
	for _, n := range numbers {
		t := rows[n]
		if why := skipReason(t); why != "" {
			bt := BulkTicket{Number: n, Reason: why}
			if t != nil {
				bt.Subject = t.Subject
			}
			plan.Skipped = append(plan.Skipped, bt)
			continue
		}
		bt := BulkTicket{Number: n, Subject: t.Subject}
		status := s.Status != "" && t.Status != s.Status
		assign := s.AssigneeID != nil && (t.AssigneeID == nil || *t.AssigneeID != *s.AssigneeID)
		if !status && !assign && (s.Priority == "" || t.Priority == s.Priority) &&
			(s.Category == "" || t.Category == s.Category) &&
			!slices.ContainsFunc(s.Tags(), func(n string) bool { return !slices.Contains(tags[t.ID], n) }) {
			plan.Same = append(plan.Same, bt)
			continue
		}
		plan.Change = append(plan.Change, bt)
		if status && notifyStatuses[s.Status] {
			plan.StatusMails++
		}
		if assign && *s.AssigneeID != a.ActorID {
			plan.Notices++
		}
	}
	return plan, nil
}

// applySavedBulk applies the saved reply's actions to one ticket in one
// transaction, as ApplySavedReplyActions does (ChangeTicket's path, then
// AddTags's), counting a use only when the ticket changed. It reports
// whether it changed and the undoable action its status mail waits on.
func (db *DB) applySavedBulk(ctx context.Context, ticketID int64, a BulkAction, guard func(*Tx) error) (bool, int64, error) {
	var changed bool
	var undo int64
	err := db.InTx(ctx, func(tx *Tx) error {
		changed, undo = false, 0
		if err := guard(tx); err != nil {
			return err
		}
		s, err := tx.savedReply(ctx, a.ActorID, a.SavedReply)
		if err != nil {
			return err
		}
		c := s.change(ticketID, a.ActorID, a.Hold)
		if c.Status != "" || c.Priority != "" || c.Category != "" || c.Assignee != nil {
			if changed, undo, err = tx.changeTicket(ctx, c); err != nil {
				return err
			}
		}
		if tags := s.Tags(); len(tags) > 0 {
			added, err := tx.addTags(ctx, ticketID, a.ActorID, tags)
			if err != nil {
				return err
			}
			changed = changed || len(added) > 0
		}
		if !changed {
			return nil
		}
		return tx.countUse(ctx, s.ID)
	})
	return changed, undo, err
}
