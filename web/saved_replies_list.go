package web

import (
	"net/http"
	"strings"
)

// savedListPage is what saved_replies.html shows.
type savedListPage struct {
	Query        string
	Rows         []savedReplyRow
	Notice       string
	Placeholders []string
}

// savedNotices say what the last change did (?notice=…).
var savedNotices = map[string]string{
	"created": "Saved reply created.",
	"updated": "Saved reply updated.",
	"deleted": "Saved reply deleted.",
}

// list shows the saved replies the viewer may use, searched by ?q=.
func (h *savedReplies) list(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	v := viewerFrom(r.Context())
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	list, err := h.store.SavedReplies(r.Context(), v.User.ID, q, 200)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	page := savedListPage{Query: q, Notice: savedNotices[r.URL.Query().Get("notice")]}
	if page.Rows, err = h.rows(r.Context(), list, v.User); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	noStore(w)
	h.pages.render(w, r, http.StatusOK, "saved_replies.html", "Saved replies", page)
}
