package web

import (
	"net/http"

	"github.com/dargo-support/dargo/internal/i18n"
	"github.com/dargo-support/dargo/store"
)

// pageLang is the language a page is rendered in: staff read English; a
// signed-in customer their recorded language; anyone else what their
// browser asks for (Accept-Language), English when none fits.
func pageLang(r *http.Request, v *viewer) string {
	if v != nil && v.User != nil {
		if hasRole(v.User, store.RoleStaff) {
			return i18n.English
		}
		if v.User.Language != "" {
			return i18n.Or(v.User.Language)
		}
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// T says message id of portalText in the page's language.
func (p page) T(id string, args ...any) string { return portalText.T(p.Lang, id, args...) }

// Status says a ticket's status as the customer reads it, in the page's
// language.
func (p page) Status(status string) string {
	if _, ok := customerStatuses[status]; ok {
		return p.T("status." + status)
	}
	return status
}

// languageOption is one choice of the account page's language select.
type languageOption struct {
	Value, Label string
	Selected     bool
}

// languageOptions are the supported languages, u's selected; with none
// recorded, the one the page is shown in.
func languageOptions(u *store.User, shown string) []languageOption {
	cur := u.Language
	if cur == "" {
		cur = shown
	}
	out := make([]languageOption, 0, len(i18n.Supported))
	for _, l := range i18n.Supported {
		out = append(out, languageOption{Value: l, Label: i18n.Name(l), Selected: l == cur})
	}
	return out
}

// PageTitle is the page's title, in the page's language when the catalog
// has it.
func (p page) PageTitle() string {
	if _, ok := portalMessages["title."+p.Title]; ok {
		return p.T("title." + p.Title)
	}
	return p.Title
}

// Priority says a priority in the page's language: "high priority".
func (p page) Priority(priority string) string {
	if _, ok := portalMessages["priority."+priority]; ok {
		return p.T("priority." + priority)
	}
	return priority + " priority"
}
