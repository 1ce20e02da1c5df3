package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/dargo-support/dargo/store"
)

// savedFormPage is what saved_reply_form.html shows: the reply as typed,
// the lists to choose actions from, and which field was refused.
type savedFormPage struct {
	ID           int64 // 0: a new reply
	In           store.SavedReplyInput
	Statuses     []string
	Priorities   []string
	Categories   []string
	Staff        []store.User
	Placeholders []string
	Field        string // the refused field
	Error        string
}

// newForm shows an empty form for a new saved reply.
func (h *savedReplies) newForm(w http.ResponseWriter, r *http.Request) {
	h.renderForm(w, r, http.StatusOK, savedFormPage{})
}

// editForm shows a saved reply the viewer may change.
func (h *savedReplies) editForm(w http.ResponseWriter, r *http.Request) {
	s, ok := h.editable(w, r)
	if !ok {
		return
	}
	in := store.SavedReplyInput{Title: s.Title, Body: s.Body, Personal: !s.Shared(), Status: s.Status, Priority: s.Priority,
		Category: s.Category, Tags: s.AddTags}
	if s.AssigneeID != nil {
		in.AssigneeID = *s.AssigneeID
	}
	h.renderForm(w, r, http.StatusOK, savedFormPage{ID: s.ID, In: in})
}

// editable loads the reply in the path when the viewer may change it, or
// answers: 404 for one they cannot see, 403 for a shared one not theirs.
func (h *savedReplies) editable(w http.ResponseWriter, r *http.Request) (*store.SavedReply, bool) {
	id, ok := savedID(r)
	if !ok || h.store == nil {
		h.pages.notFound(w, r)
		return nil, false
	}
	v := viewerFrom(r.Context())
	s, err := h.store.SavedReply(r.Context(), v.User.ID, id)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return nil, false
	}
	if !store.CanEditSavedReply(*s, v.User.ID, hasRole(v.User, store.RoleAdmin)) {
		h.locked(w, r)
		return nil, false
	}
	return s, true
}

func (h *savedReplies) locked(w http.ResponseWriter, r *http.Request) {
	h.pages.message(w, r, http.StatusForbidden, "Not yours to change",
		"Only the person who made a shared saved reply, or an admin, may change or delete it. You can still use it from any ticket's composer.")
}

// create stores a new saved reply.
func (h *savedReplies) create(w http.ResponseWriter, r *http.Request) {
	h.save(w, r, 0)
}

// update changes a saved reply.
func (h *savedReplies) update(w http.ResponseWriter, r *http.Request) {
	id, ok := savedID(r)
	if !ok {
		h.pages.notFound(w, r)
		return
	}
	h.save(w, r, id)
}

// save checks and stores the form (a new reply when id is 0); a refusal
// shows the form again as typed, naming the field and, for a placeholder
// Dargo does not know, that placeholder.
func (h *savedReplies) save(w http.ResponseWriter, r *http.Request, id int64) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	v := viewerFrom(r.Context())
	in := store.SavedReplyInput{Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Personal: r.PostFormValue("personal") == "1", Status: r.PostFormValue("status"), Priority: r.PostFormValue("priority"),
		Category: r.PostFormValue("category"), Tags: r.PostFormValue("tags")}
	page := savedFormPage{ID: id, In: in}
	if a := r.PostFormValue("assignee"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			page.Field, page.Error = "assignee", "Choose an assignee from the staff list."
			h.renderForm(w, r, http.StatusBadRequest, page)
			return
		}
		page.In.AssigneeID, in.AssigneeID = n, n
	}
	if in.Category != "" && !slices.Contains(h.categories, in.Category) {
		page.Field, page.Error = "category", "Choose a category from the list."
		h.renderForm(w, r, http.StatusBadRequest, page)
		return
	}
	var err error
	notice := "created"
	if id == 0 {
		_, err = h.store.CreateSavedReply(r.Context(), v.User.ID, in)
	} else {
		notice = "updated"
		_, err = h.store.UpdateSavedReply(r.Context(), v.User.ID, id, in)
	}
	var se *store.SavedReplyError
	switch {
	case errors.As(err, &se):
		page.Field, page.Error = se.Field, se.Reason
		h.renderForm(w, r, http.StatusBadRequest, page)
		return
	case errors.Is(err, store.ErrSavedReplyLocked):
		h.locked(w, r)
		return
	case err != nil:
		h.pages.failOr404(w, r, err)
		return
	}
	http.Redirect(w, r, "/inbox/saved-replies?notice="+notice, http.StatusSeeOther)
}

func (h *savedReplies) renderForm(w http.ResponseWriter, r *http.Request, status int, page savedFormPage) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	var err error
	if page.Staff, err = h.staff.Staff(r.Context()); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	page.Statuses, page.Priorities, page.Categories, page.Placeholders = store.Statuses, store.Priorities, h.categories, store.Placeholders
	title := "New saved reply"
	if page.ID != 0 {
		title = "Edit saved reply"
	}
	noStore(w)
	h.pages.render(w, r, status, "saved_reply_form.html", title, page)
}
