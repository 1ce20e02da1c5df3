package web

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// bulkSavedLimit is how many saved replies the bulk bar offers (those
// used most first; the picker finds the rest).
const bulkSavedLimit = 200

// bulkSavedReplies are the saved replies with actions the viewer may use,
// for the bulk bar; none when the store keeps no saved replies.
func (h *inboxHandler) bulkSavedReplies(ctx context.Context) ([]store.SavedReply, error) {
	ss, ok := h.store.(SavedReplyStore)
	if !ok {
		return nil, nil
	}
	all, err := ss.SavedReplies(ctx, viewerFrom(ctx).User.ID, "", bulkSavedLimit)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, s := range all {
		if s.HasActions() {
			out = append(out, s)
		}
	}
	return out, nil
}

// savedAction is action for a saved reply's actions: the reply must be
// one the viewer may use, with actions.
func (h *inboxHandler) savedAction(ctx context.Context, f bulkForm) (store.BulkAction, bulkWords, string, error) {
	v := viewerFrom(ctx)
	a := store.BulkAction{Kind: store.BulkSavedReply, ActorID: v.User.ID, Hold: h.undo.window()}
	ss, ok := h.store.(SavedReplyStore)
	id, perr := strconv.ParseInt(f.SavedReply, 10, 64)
	if !ok || perr != nil || id <= 0 {
		return a, bulkWords{}, "Choose a saved reply from the list.", nil
	}
	s, err := ss.SavedReply(ctx, v.User.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return a, bulkWords{}, "That saved reply is gone, or it is not yours to use; choose another.", nil
	}
	if err != nil {
		return a, bulkWords{}, "", err
	}
	if !s.HasActions() {
		return a, bulkWords{}, "That saved reply has no actions to apply; choose another, or give it actions first.", nil
	}
	staff, err := h.staff.Staff(ctx)
	if err != nil {
		return a, bulkWords{}, "", err
	}
	a.SavedReply = s.ID
	words := bulkWords{Status: s.Status, Version: strconv.FormatInt(s.UpdatedAt.UnixNano(), 36),
		What: "Apply the actions of “" + s.Title + "” (" + strings.Join(savedActions(*s, staff), ", ") + "), not its text"}
	if s.AssigneeID != nil {
		for _, u := range staff {
			if u.ID == *s.AssigneeID {
				words.Who = u.Email
			}
		}
	}
	return a, words, "", nil
}
