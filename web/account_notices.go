package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// noticeForm is the "Notifications" section of a staff member's /account:
// which kinds of notice they get, whose new tickets, and whether they are away.
type noticeForm struct {
	Kinds      []noticeBox
	Categories []noticeBox
	Away       bool
	Notices    []string // what the last save did
}

// noticeBox is one checkbox of the form.
type noticeBox struct {
	Value   string
	Label   string
	Checked bool
}

// noticeKindLabels say what each kind of notice is, in store.NoticeKinds' order.
var noticeKindLabels = map[string]string{
	store.NoticeNewTicket:     "A new ticket arrives",
	store.NoticeCustomerReply: "A customer writes on a ticket I'm assigned to or follow",
	store.NoticeAssigned:      "Someone assigns a ticket to me",
	store.NoticeMention:       "Someone mentions me (@name) in an internal note",
	store.NoticePrivacyDue:    "A privacy request is near its 30-day due date",
	store.NoticeSLABreach:     "A ticket I'm assigned to (or an unassigned one) misses an SLA target",
}

// noticeSaved say what the form saved (?notice=…).
var noticeSaved = map[string]string{
	"notices-saved": "Notifications saved: you get mail for the kinds ticked below.",
	"notices-none":  "Notifications saved. Every kind is off: you get no notices, only word of your own answers by mail that were held.",
	"notices-away":  "Notifications saved. You are away: no notices until you switch this off.",
}

// wants reports whether the preferences have the kind switched on.
func wants(p store.StaffPrefs, kind string) bool {
	p.Away = false
	return p.Wants(kind)
}

// newNoticeForm shows saved preferences; categories are the desk's own.
func newNoticeForm(p store.StaffPrefs, categories []string) *noticeForm {
	f := &noticeForm{Away: p.Away}
	for _, k := range store.NoticeKinds {
		f.Kinds = append(f.Kinds, noticeBox{Value: k, Label: noticeKindLabels[k], Checked: wants(p, k)})
	}
	chosen := p.CategoryList()
	for _, c := range noticeCategories(categories) {
		f.Categories = append(f.Categories, noticeBox{Value: c, Label: c, Checked: slices.Contains(chosen, c)})
	}
	return f
}

// noticeCategories are the categories to choose from: the desk's, and
// privacy requests, each once.
func noticeCategories(categories []string) []string {
	out := slices.Clone(categories)
	if !slices.Contains(out, store.PrivacyCategory) {
		out = append(out, store.PrivacyCategory)
	}
	return out
}

// noticeFormFor loads the viewer's notification choices; nil for a
// customer, who has none.
func (h *accountHandler) noticeFormFor(r *http.Request) (*noticeForm, error) {
	v := viewerFrom(r.Context())
	if h.notices == nil || !hasRole(v.User, store.RoleStaff) {
		return nil, nil
	}
	p, err := h.notices.StaffPrefs(r.Context(), v.User.ID)
	if err != nil {
		return nil, err
	}
	f := newNoticeForm(*p, h.categories)
	f.Notices = notices(r, noticeSaved)
	return f, nil
}

// saveNotices saves the staff member's notification choices from the
// form's boxes: a kind not ticked is off; no category ticked is every one.
func (h *accountHandler) saveNotices(w http.ResponseWriter, r *http.Request) {
	if h.notices == nil {
		h.pages.notFound(w, r)
		return
	}
	v := viewerFrom(r.Context())
	if err := r.ParseForm(); err != nil {
		h.pages.message(w, r, http.StatusBadRequest, "Bad form", "The form could not be read. Reload the page and try again.")
		return
	}
	kinds := r.PostForm["kind"]
	p := store.StaffPrefs{UserID: v.User.ID,
		NewTicket: slices.Contains(kinds, store.NoticeNewTicket), CustomerReply: slices.Contains(kinds, store.NoticeCustomerReply),
		Assigned: slices.Contains(kinds, store.NoticeAssigned), Mention: slices.Contains(kinds, store.NoticeMention),
		PrivacyDue: slices.Contains(kinds, store.NoticePrivacyDue),
		SLABreach:  slices.Contains(kinds, store.NoticeSLABreach), Away: r.PostFormValue("away") == "1"}
	var cats []string
	for _, c := range noticeCategories(h.categories) {
		if slices.Contains(r.PostForm["category"], c) {
			cats = append(cats, c)
		}
	}
	p.Categories = strings.Join(cats, ",")
	if err := h.notices.SaveStaffPrefs(r.Context(), p); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	code := "notices-saved"
	switch {
	case p.Away:
		code = "notices-away"
	case !slices.ContainsFunc(store.NoticeKinds, func(k string) bool { return wants(p, k) }):
		code = "notices-none"
	}
	http.Redirect(w, r, "/account?notice="+code+"#notifications", http.StatusSeeOther)
}
