package web

import (
	"errors"
	"net/http"

	"github.com/dargo-support/dargo/store"
)

// confirmLinkPage is a confirm page's data.
type confirmLinkPage struct {
	Token string
	Email string
	Error string
}

// humanOr re-shows a confirm page (public: anyone with the link) when its
// Turnstile check fails; true when it answered.
func (h *privacyHandler) humanOr(w http.ResponseWriter, r *http.Request, tmpl, title, token string, t *store.LoginToken) bool {
	_, status, problem := h.human.check(r)
	if problem == "" {
		return false
	}
	h.pages.render(w, r, status, tmpl, title, confirmLinkPage{Token: token, Email: t.Email, Error: problem})
	return true
}

func (h *privacyHandler) emailConfirmForm(w http.ResponseWriter, r *http.Request) {
	h.confirmPage(w, r, store.PurposeEmailChange, "confirm_email.html", "Confirm your new address")
}

// confirmPage shows what a mailed link will do, with the button that does
// it; opening the link changes nothing.
func (h *privacyHandler) confirmPage(w http.ResponseWriter, r *http.Request, purpose, tmpl, title string) {
	noStore(w)
	w.Header().Set("Referrer-Policy", "no-referrer")
	token, t, err := h.linkToken(r, purpose)
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	h.pages.render(w, r, http.StatusOK, tmpl, title, confirmLinkPage{Token: token, Email: t.Email})
}

func (h *privacyHandler) emailConfirm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	token, t, err := h.linkToken(r, store.PurposeEmailChange)
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	if h.humanOr(w, r, "confirm_email.html", "Confirm your new address", token, t) {
		return
	}
	u, err := h.store.ChangeEmail(r.Context(), hashSecret(token))
	if errors.Is(err, store.ErrAddressTaken) {
		h.pages.message(w, r, http.StatusConflict, "Address in use", "Another account already uses this address, so yours was not changed.")
		return
	}
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	h.pages.message(w, r, http.StatusOK, "Address changed", "Your account's address is now "+u.Email+". Your tickets stay with it.")
}

func (h *privacyHandler) eraseConfirmForm(w http.ResponseWriter, r *http.Request) {
	h.confirmPage(w, r, store.PurposeErase, "confirm_erase.html", "Erase your data")
}

// eraseConfirm erases the account the link was made for, ends its sessions
// (the erasure deletes them) and says what happened.
func (h *privacyHandler) eraseConfirm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	token, t, err := h.linkToken(r, store.PurposeErase)
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	if h.humanOr(w, r, "confirm_erase.html", "Erase your data", token, t) {
		return
	}
	userID, err := h.store.SpendEraseToken(r.Context(), hashSecret(token))
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	if _, err := h.store.Erase(r.Context(), userID, store.EraseOpts{ActorID: userID, Block: r.PostFormValue("block") == "1"}); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.sessions.clear(w)
	h.pages.message(w, r, http.StatusOK, "Your data is erased",
		"We removed your address, name, sessions, sign-in records and everything you wrote. Your tickets remain as anonymous records.")
}
