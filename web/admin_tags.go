package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// adminTags serves /admin/tags: every tag with its ticket count, renaming
// one (to an existing name merges them) and merging several into one. The
// store audits each ticket changed and the change as a whole.
type adminTags struct {
	store TagStore // nil when o.Store keeps no tags
	pages *pages
}

func newAdminTags(o Opts, p *pages) *adminTags {
	ts, _ := o.Store.(TagStore)
	return &adminTags{store: ts, pages: p}
}

// tagsPage is what admin_tags.html shows, with the forms as typed after
// a refused change.
type tagsPage struct {
	List       []store.TagCount
	RenameFrom string
	RenameTo   string
	MergeFrom  []string
	MergeInto  string
	Notice     string
	Error      string
}

// Merging says whether the merge form had the tag ticked.
func (p tagsPage) Merging(name string) bool {
	return slices.Contains(p.MergeFrom, name)
}

func (h *adminTags) list(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, tagsPage{})
}

func (h *adminTags) render(w http.ResponseWriter, r *http.Request, status int, page tagsPage) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	var err error
	if page.List, err = h.store.Tags(r.Context()); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	noStore(w)
	h.pages.render(w, r, status, "admin_tags.html", "Tags", page)
}

// rename renames a tag on every ticket; onto an existing name it merges.
func (h *adminTags) rename(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	page := tagsPage{RenameFrom: r.PostFormValue("from"), RenameTo: r.PostFormValue("to")}
	n, err := h.store.RenameTag(r.Context(), viewerFrom(r.Context()).User.ID, page.RenameFrom, page.RenameTo)
	if h.refused(w, r, err, &page) {
		return
	}
	to, _ := store.NormalizeTag(page.RenameTo)
	page.Notice = fmt.Sprintf("Renamed “%s” to “%s” on %s.", strings.TrimSpace(page.RenameFrom), to, tickets(n))
	h.render(w, r, http.StatusOK, tagsPage{Notice: page.Notice})
}

// merge moves every ticket of the ticked tags to one tag.
func (h *adminTags) merge(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	r.ParseForm() // #nosec G104 -- a bad body leaves the form empty, which is refused below
	page := tagsPage{MergeFrom: r.PostForm["from"], MergeInto: r.PostFormValue("into")}
	if len(page.MergeFrom) == 0 {
		page.Error = "Nothing merged: tick the tags to merge."
		h.render(w, r, http.StatusBadRequest, page)
		return
	}
	n, err := h.store.MergeTags(r.Context(), viewerFrom(r.Context()).User.ID, page.MergeFrom, page.MergeInto)
	if h.refused(w, r, err, &page) {
		return
	}
	into, _ := store.NormalizeTag(page.MergeInto)
	h.render(w, r, http.StatusOK, tagsPage{Notice: fmt.Sprintf("Merged %d tags into “%s” on %s.", len(page.MergeFrom), into, tickets(n))})
}

// refused re-renders the page with the form as typed when err refused the
// change, and reports whether it did.
func (h *adminTags) refused(w http.ResponseWriter, r *http.Request, err error, page *tagsPage) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrInvalidTag):
		page.Error = "Nothing changed: a tag has 1 to 40 characters, and no commas or control characters."
		h.render(w, r, http.StatusBadRequest, *page)
	case errors.Is(err, store.ErrNotFound):
		page.Error = "Nothing changed: there is no such tag (perhaps a colleague renamed it)."
		h.render(w, r, http.StatusNotFound, *page)
	default:
		h.pages.fail(w, r, err)
	}
	return true
}

// tickets says "1 ticket" or "n tickets".
func tickets(n int) string {
	if n == 1 {
		return "1 ticket"
	}
	return fmt.Sprintf("%d tickets", n)
}
