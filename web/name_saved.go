package web

import (
	"net/http"
	"slices"
)

// nameNotice says, after the redirect of a name form
// (?notice=name-saved), what the name now is; whose is "your" or "their".
func nameNotice(r *http.Request, whose, name string) string {
	if !slices.Contains(r.URL.Query()["notice"], "name-saved") {
		return ""
	}
	if name == "" {
		return "Saved: " + whose + " name is removed."
	}
	return "Saved: " + whose + " name is now “" + name + "”."
}
