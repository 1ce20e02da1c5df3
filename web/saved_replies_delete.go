package web

import (
	"errors"
	"net/http"

	"github.com/dargo-support/dargo/store"
)

// confirmDelete asks before deleting a saved reply.
func (h *savedReplies) confirmDelete(w http.ResponseWriter, r *http.Request) {
	s, ok := h.editable(w, r)
	if !ok {
		return
	}
	noStore(w)
	h.pages.render(w, r, http.StatusOK, "saved_reply_delete.html", "Delete saved reply", s)
}

// delete deletes a saved reply the viewer may change.
func (h *savedReplies) delete(w http.ResponseWriter, r *http.Request) {
	id, ok := savedID(r)
	if !ok || h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	err := h.store.DeleteSavedReply(r.Context(), viewerFrom(r.Context()).User.ID, id)
	switch {
	case errors.Is(err, store.ErrSavedReplyLocked):
		h.locked(w, r)
		return
	case err != nil:
		h.pages.failOr404(w, r, err)
		return
	}
	http.Redirect(w, r, "/inbox/saved-replies?notice=deleted", http.StatusSeeOther)
}
