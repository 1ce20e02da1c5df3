package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// pickerLimit is how many saved replies the composer's picker lists at
// once; typing narrows them.
const pickerLimit = 30

// pickerPage is the composer's saved-reply picker for one ticket: the
// replies matching Query, or one of them previewed against the ticket.
type pickerPage struct {
	Ticket  *store.Ticket
	Back    string
	Query   string
	Rows    []savedReplyRow
	Preview *savedPreview
}

// savedPreview is a saved reply filled in for the ticket, what sending it
// will also do, and the link that puts it in the composer.
type savedPreview struct {
	Reply     *store.SavedReply
	Rendered  store.Rendered
	Actions   []string
	InsertURL string
}

// pick lists the saved replies matching ?q= for the ticket's composer: a
// page of its own, or with ?fragment=1 the list alone, for app.js.
func (h *savedReplies) pick(w http.ResponseWriter, r *http.Request) {
	t, ok := h.pickerTicket(w, r)
	if !ok {
		return
	}
	v := viewerFrom(r.Context())
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	list, err := h.store.SavedReplies(r.Context(), v.User.ID, q, pickerLimit)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	page := pickerPage{Ticket: t, Back: backParam(r), Query: q}
	for _, s := range list {
		page.Rows = append(page.Rows, savedReplyRow{SavedReply: s, Snippet: snippet(s.Body, 90)})
	}
	h.renderPicker(w, r, "saved-picker-list", page)
}

// preview shows a saved reply filled in for the ticket, with the actions
// sending it will apply; ?fragment=1 for app.js.
func (h *savedReplies) preview(w http.ResponseWriter, r *http.Request) {
	t, ok := h.pickerTicket(w, r)
	if !ok {
		return
	}
	id, ok := savedID(r)
	if !ok {
		h.pages.notFound(w, r)
		return
	}
	v := viewerFrom(r.Context())
	s, rendered, err := h.store.RenderSavedReply(r.Context(), t.ID, v.User.ID, id)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	staff, err := h.staff.Staff(r.Context())
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	q := url.Values{"saved_reply": {itoa(s.ID)}}
	if b := backParam(r); b != "" {
		q.Set("back", b)
	}
	page := pickerPage{Ticket: t, Back: backParam(r), Preview: &savedPreview{Reply: s, Rendered: rendered,
		Actions: savedActions(*s, staff), InsertURL: "/inbox/tickets/" + itoa(t.Number) + "?" + q.Encode() + "#reply-form"}}
	h.renderPicker(w, r, "saved-picker-preview", page)
}

// pickerTicket is the ticket in the path, or answers 404.
func (h *savedReplies) pickerTicket(w http.ResponseWriter, r *http.Request) (*store.Ticket, bool) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return nil, false
	}
	t, err := ticketFromPath(r, h.tickets)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return nil, false
	}
	return t, true
}

// renderPicker writes the named part alone for app.js (?fragment=1), or
// the picker page around it.
func (h *savedReplies) renderPicker(w http.ResponseWriter, r *http.Request, part string, page pickerPage) {
	noStore(w)
	if r.URL.Query().Get("fragment") != "1" {
		h.pages.render(w, r, http.StatusOK, "saved_picker.html", "Saved replies for #"+itoa(page.Ticket.Number), page)
		return
	}
	var buf bytes.Buffer
	if err := h.pages.templatesFor(r).ExecuteTemplate(&buf, part, page); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}
