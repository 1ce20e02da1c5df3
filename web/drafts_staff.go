package web

import (
	"context"
	"net/http"

	"github.com/dargo-support/dargo/store"
)

// composerState fills in what the staff composer shows besides what a
// handler already kept: on a page shown afresh, the saved draft and staged
// files; always, colleagues' drafts and where the script saves this one.
func (h *inboxHandler) composerState(ctx context.Context, userID int64, t *store.Ticket, data *staffTicketPage) error {
	if !data.Held.ready {
		d, held, err := loadHeld(ctx, h.store, userID, t.ID)
		if err != nil {
			return err
		}
		if d != nil && data.Draft == "" {
			data.Draft, data.DraftNote = d.Text, d.Kind == store.DraftNote
		}
		data.Held = held
	}
	others, err := h.store.DraftWriters(ctx, t.ID, userID)
	data.Held.Others = others
	data.Held.DraftURL = "/inbox/tickets/" + itoa(t.Number) + "/draft"
	return err
}

// saveDraft keeps the staff member's reply or note as they type.
func (h *inboxHandler) saveDraft(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	saveDraft(w, r, h.store, store.Draft{UserID: viewerFrom(r.Context()).User.ID, TicketID: t.ID}, "text", false)
}
