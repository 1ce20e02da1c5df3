package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/dargo-support/dargo/internal/seal"
	"github.com/dargo-support/dargo/store"
)

// confirmLinkPage is a confirm page's data. Account and Name say whose
// account the link acts on (the address masked: anyone holding the link sees
// the page), so a person tricked into confirming a stranger's address change
// sees that it is not their account.
type confirmLinkPage struct {
	Token   string
	Email   string // where the link was mailed
	Account string // the account's address now, masked
	Name    string // the account's name
	Current bool   // the link was mailed to the account's address now
	Error   string
}

// linkPage is the confirm page's data for a token.
func (h *privacyHandler) linkPage(r *http.Request, token string, t *store.LoginToken) (confirmLinkPage, error) {
	u, err := h.store.UserByID(r.Context(), *t.UserID)
	if err != nil {
		return confirmLinkPage{}, err
	}
	if u.ErasedAt != nil {
		return confirmLinkPage{}, store.ErrNotFound
	}
	return confirmLinkPage{Token: token, Email: t.Email, Account: store.MaskEmail(u.Email), Name: u.Name,
		Current: store.NormalizeEmail(t.Email) == u.Email}, nil
}

// humanOr re-shows a confirm page (public: anyone with the link) when its
// Turnstile check fails; true when it answered.
func (h *privacyHandler) humanOr(w http.ResponseWriter, r *http.Request, tmpl, title, token string, t *store.LoginToken) bool {
	_, status, problem := h.human.check(r)
	if problem == "" {
		return false
	}
	page, err := h.linkPage(r, token, t)
	if err != nil {
		h.linkProblem(w, r, err)
		return true
	}
	page.Error = problem
	h.pages.render(w, r, status, tmpl, title, page)
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
	page, err := h.linkPage(r, token, t)
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	h.pages.render(w, r, http.StatusOK, tmpl, title, page)
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
	secret, hash := newSecret()
	sealed, err := seal.Seal(h.secret, []byte(h.baseURL+"/account/email/undo?token="+secret))
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	u, err := h.store.ChangeEmail(r.Context(), hashSecret(token), store.AddressUndo{TokenHash: hash, SealedLink: sealed})
	if errors.Is(err, store.ErrAddressTaken) {
		h.pages.message(w, r, http.StatusConflict, "Address in use", "Another account already uses this address, so yours was not changed.")
		return
	}
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	// Every session of the account ended, and this browser is not signed
	// in afresh: confirming proves the mailbox, and signing in is one more
	// link to it. A person who confirmed for somebody else's account is not
	// dropped into it.
	r = h.sessions.signedOut(w, r)
	h.pages.message(w, r, http.StatusOK, "Address changed", "The account's address is now "+u.Email+
		". Every session of the account was signed out, this one too: sign in again with the new address. "+
		"The old address was told, and can undo the change for 7 days.")
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
	consent, err := h.store.SpendEraseToken(r.Context(), hashSecret(token))
	if err != nil {
		h.linkProblem(w, r, err)
		return
	}
	if len(consent.Waiting) > 0 {
		masked := make([]string, len(consent.Waiting))
		for i, a := range consent.Waiting {
			masked[i] = store.MaskEmail(a)
		}
		h.pages.message(w, r, http.StatusAccepted, "Confirmed from this address",
			"Nothing is erased yet: the erasure also needs the confirmation mailed to "+strings.Join(masked, ", ")+
				", within 15 minutes of asking. Without it nothing happens.")
		return
	}
	if _, err := h.store.Erase(r.Context(), consent.UserID, store.EraseOpts{ActorID: consent.UserID, Block: r.PostFormValue("block") == "1"}); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	r = h.sessions.signedOut(w, r)
	h.pages.message(w, r, http.StatusOK, "Your data is erased",
		"We removed your address, name, sessions, sign-in records and everything you wrote. Your tickets remain as anonymous records.")
}
