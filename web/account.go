package web

import (
	"net/http"

	"github.com/dargo-support/dargo/store"
)

// accountHandler shows who is signed in, where, and signs them out.
type accountHandler struct {
	store    Store
	pages    *pages
	sessions *sessions
	choices  ChoiceStore
}

// accountPage is the account page's data.
type accountPage struct {
	Sessions []store.Session
	Logins   []store.LoginRecord
	Current  int64
	Choices  []choiceView
	Notices  []string // what the last action changed
}

func (h *accountHandler) show(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	list, err := h.store.Sessions(r.Context(), v.User.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	logins, err := h.store.Logins(r.Context(), v.User.ID, 20)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	choices, err := h.choices.Choices(r.Context(), v.User.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.pages.render(w, r, http.StatusOK, "account.html", "Your account", accountPage{Sessions: list, Logins: logins, Current: v.Session.ID,
		Choices: viewChoices(choices, false), Notices: notices(r, choiceNotices)})
}

// logout ends this browser's session, on the server as well as the cookie.
func (h *accountHandler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.store.Logout(r.Context(), viewerFrom(r.Context()).tokenHash); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.sessions.clear(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// logoutEverywhere ends every session of the user, this one included.
func (h *accountHandler) logoutEverywhere(w http.ResponseWriter, r *http.Request) {
	if _, err := h.store.LogoutEverywhere(r.Context(), viewerFrom(r.Context()).User.ID); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.sessions.clear(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
