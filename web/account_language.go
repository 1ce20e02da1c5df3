package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/dargo-support/dargo/internal/i18n"
	"github.com/dargo-support/dargo/store"
)

// LanguageStore sets the language a customer is written to in.
type LanguageStore interface {
	SetLanguage(ctx context.Context, userID int64, lang string) error
}

var _ LanguageStore = (*store.DB)(nil)

// languageHandler serves the account page's language form.
type languageHandler struct {
	store LanguageStore
	pages *pages
}

// save sets the viewer's language to one of the supported ones and says
// so on the account page, now in that language.
func (h *languageHandler) save(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	lang := r.PostFormValue("language")
	if !slices.Contains(i18n.Supported, lang) {
		h.pages.message(w, r, http.StatusBadRequest, "Language not changed", "Choose one of the languages in the list.")
		return
	}
	if err := h.store.SetLanguage(r.Context(), v.User.ID, lang); err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?notice=language-saved#language", http.StatusSeeOther)
}

// languageNotice says what the language form saved, in the language saved.
func languageNotice(r *http.Request, u *store.User) string {
	if !slices.Contains(r.URL.Query()["notice"], "language-saved") || u.Language == "" {
		return ""
	}
	name := i18n.Name(u.Language)
	if u.Language == i18n.French || u.Language == i18n.Spanish {
		name = strings.ToLower(name) // "en français", "en español"
	}
	return portalText.T(u.Language, "account.languagesaved", name)
}
