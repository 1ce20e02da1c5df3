package web

import (
	"errors"
	"net/http"

	"github.com/dargo-support/dargo/store"
)

// emailUndoForm shows what the undo link in an address change notice will
// do; opening it changes nothing.
func (h *privacyHandler) emailUndoForm(w http.ResponseWriter, r *http.Request) {
	h.confirmPage(w, r, store.PurposeEmailUndo, "confirm_undo.html", "Undo the address change")
}

// emailUndo gives the account back to the address the notice went to and
// ends every session of it, the thief's included.
func (h *privacyHandler) emailUndo(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	token, t, err := h.linkToken(r, store.PurposeEmailUndo)
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	if h.humanOr(w, r, "confirm_undo.html", "Undo the address change", token, t) {
		return
	}
	u, err := h.store.UndoEmailChange(r.Context(), hashSecret(token))
	if errors.Is(err, store.ErrAddressTaken) {
		h.pages.message(w, r, http.StatusConflict, "Address in use",
			"Another account now uses this address, so the change could not be undone here. Please write to support from this address.")
		return
	}
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	r = h.sessions.signedOut(w, r)
	h.pages.message(w, r, http.StatusOK, "Change undone", "The account's address is "+u.Email+
		" again, and every session of it was signed out. Sign in with this address to use it.")
}
