package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// savedPick is the saved reply inserted in the composer: sending the reply
// counts its use and, when Apply is ticked, applies its actions.
type savedPick struct {
	ID      int64
	Title   string
	Status  string
	Actions string // what the actions do, in words; "" when none
	Apply   bool
}

// ThenStatus is the status the composer offers to set: the inserted saved
// reply's, else pending.
func (p staffTicketPage) ThenStatus() string {
	if p.Saved != nil && p.Saved.Status != "" && p.Saved.Apply {
		return p.Saved.Status
	}
	return store.StatusPending
}

// loadSavedPick reads the saved reply chosen (?saved_reply= from the
// picker's Insert link without the script, or the form's hidden field
// after a refused send). From the picker, its text, filled in for this
// ticket, goes after what the composer held, which stays.
func (h *inboxHandler) loadSavedPick(ctx context.Context, r *http.Request, t *store.Ticket, data *staffTicketPage) error {
	ss, ok := h.store.(SavedReplyStore)
	id, _ := strconv.ParseInt(r.FormValue("saved_reply"), 10, 64)
	if !ok || id <= 0 || data.Saved != nil {
		return nil
	}
	s, rendered, err := ss.RenderSavedReply(ctx, t.ID, viewerFrom(ctx).User.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted meanwhile, or never the viewer's: nothing chosen
	}
	if err != nil {
		return err
	}
	pick := &savedPick{ID: s.ID, Title: s.Title, Status: s.Status, Actions: strings.Join(savedActions(*s, data.Staff), ", "), Apply: true}
	if r.Method == http.MethodPost {
		pick.Apply = r.PostFormValue("saved_actions") == "1"
	} else {
		if strings.TrimSpace(data.Draft) != "" {
			data.Draft = strings.TrimRight(data.Draft, "\n") + "\n\n"
		}
		data.Draft += rendered.Text
	}
	data.Saved = pick
	return nil
}

// savedGone is what to tell staff when the saved reply they inserted was
// deleted (or made personal by someone else) before they sent; "" when
// none was chosen or it is still theirs to use.
func (h *inboxHandler) savedGone(r *http.Request) (string, error) {
	ss, ok := h.store.(SavedReplyStore)
	id, _ := strconv.ParseInt(r.PostFormValue("saved_reply"), 10, 64)
	if !ok || id <= 0 {
		return "", nil
	}
	_, err := ss.SavedReply(r.Context(), viewerFrom(r.Context()).User.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return "The saved reply you inserted was deleted meanwhile, so its actions cannot be applied. Your text is kept: send again to send it as it is.", nil
	}
	return "", err
}

// sendReply stores the reply: with the saved reply chosen in the composer
// (its use counted, its actions applied unless unticked), or plainly.
func (h *inboxHandler) sendReply(r *http.Request, reply store.StaffReply) (int64, error) {
	ss, ok := h.store.(SavedReplyStore)
	id, _ := strconv.ParseInt(r.PostFormValue("saved_reply"), 10, 64)
	if !ok || id <= 0 {
		return h.store.AddStaffReply(r.Context(), reply)
	}
	if reply.Note {
		reply.Hold = h.undo.window() // a status mail the actions send waits for its Undo
	}
	return ss.AddStaffReplyWithSaved(r.Context(), reply, id, r.PostFormValue("saved_actions") == "1")
}

// savedSendProblem says why a reply sent with a saved reply was refused,
// for the composer shown again with what was typed: the saved reply went
// away meanwhile, or one of its actions cannot be applied now (its
// assignee is no longer staff). "" for any other error.
func savedSendProblem(r *http.Request, err error) string {
	if id, _ := strconv.ParseInt(r.PostFormValue("saved_reply"), 10, 64); id <= 0 {
		return ""
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "The saved reply you inserted was deleted meanwhile, so its actions cannot be applied. Your text is kept: send again to send it as it is."
	case errors.Is(err, store.ErrInvalidChange):
		return "The saved reply's actions cannot be applied now (its assignee may no longer be staff). Your text is kept: untick its actions and send again, or fix the saved reply."
	}
	return ""
}

// toSavedPicker is the composer's Saved replies button without the
// script: what was typed is kept as the draft (and files staged), then the
// picker page opens; its Insert comes back with the text added.
func (h *inboxHandler) toSavedPicker(w http.ResponseWriter, r *http.Request, c *composing, t *store.Ticket, text string, note bool) {
	kind := store.DraftReply
	if note {
		kind = store.DraftNote
	}
	if _, err := c.keep(r.Context(), store.Draft{Kind: kind, Text: text}); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	to := "/inbox/tickets/" + itoa(t.Number) + "/saved-replies"
	if b := backParam(r); b != "" {
		to += "?back=" + url.QueryEscape(b)
	}
	http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- our own inbox path (backParam checks it)
}
