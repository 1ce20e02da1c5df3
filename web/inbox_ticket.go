package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/dargo-support/dargo/store"
)

// staffTicketPage is one ticket as staff see it.
type staffTicketPage struct {
	Ticket      *store.Ticket
	Customer    *store.User
	Others      []store.InboxRow
	Messages    []store.ThreadMessage
	Activities  []store.Activity
	Staff       []store.User
	Statuses    []string
	Priorities  []string
	Categories  []string
	LastMessage int64
	Present     []viewerNote // other staff viewing or replying now
	Draft       string
	DraftNote   bool
	Error       string
	Collision   bool // a reply came in while this one was written
	Images      int64
	ForStaff    bool // staff see authors' addresses
	Notice      string
	// Suggestions are people a mail named who were not added (first
	// shownSuggestions of them); MoreSuggestions counts the rest.
	Suggestions     []store.CcSuggestion
	MoreSuggestions int
}

func (h *inboxHandler) show(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	h.renderTicket(w, r, http.StatusOK, t, staffTicketPage{})
}

func (h *inboxHandler) renderTicket(w http.ResponseWriter, r *http.Request, status int, t *store.Ticket, data staffTicketPage) {
	ctx := r.Context()
	v := viewerFrom(ctx)
	var err error
	data.ForStaff = true
	data.Ticket, data.Statuses, data.Priorities, data.Categories, data.Images = t, store.Statuses, store.Priorities, h.categories, imagesParam(r)
	if data.Customer, err = h.store.UserByID(ctx, t.CustomerID); err == nil {
		var others *store.InboxPage
		if others, err = h.store.CustomerTickets(ctx, t.CustomerID, nil, 10); err == nil {
			for _, o := range others.Rows {
				if o.ID != t.ID {
					data.Others = append(data.Others, o)
				}
			}
		}
	}
	if err == nil {
		data.Messages, err = h.store.Thread(ctx, t.ID, true)
	}
	if err == nil {
		data.Activities, err = h.store.Activities(ctx, t.ID)
	}
	if err == nil {
		data.Staff, err = h.staff.Staff(ctx)
	}
	if err == nil {
		data.LastMessage, err = h.store.LastMessageID(ctx, t.ID)
	}
	if err == nil {
		data.Suggestions, err = h.store.CcSuggestions(ctx, t.ID)
		if n := len(data.Suggestions); n > shownSuggestions {
			data.Suggestions, data.MoreSuggestions = data.Suggestions[:shownSuggestions], n-shownSuggestions
		}
	}
	if data.Notice == "" && data.Error == "" {
		data.Notice = ticketNotices[r.URL.Query().Get("notice")]
	}
	if data.Notice == "" && data.Error == "" {
		data.Notice = h.savedNotice(r, t, data.Staff)
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	data.Present = h.presence.see(ctx, t.ID, v.User, "viewing")
	h.pages.render(w, r, status, "inbox_ticket.html", "#"+itoa(t.Number)+" "+t.Subject, data)
}

// update changes status, priority, category or assignee.
func (h *inboxHandler) update(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	v := viewerFrom(r.Context())
	// Only what the person changed on this page is applied: a page opened
	// before somebody else's change must not put the old values back.
	changed := func(field string) string {
		v := r.PostFormValue(field)
		if old, ok := r.PostForm["old_"+field]; ok && len(old) == 1 && old[0] == v {
			return ""
		}
		return v
	}
	c := store.Change{TicketID: t.ID, ActorID: v.User.ID, Status: changed("status"), Priority: changed("priority"),
		Category: changed("category")}
	switch a := changed("assignee"); a {
	case "":
	case "none":
		c.Unassign = true
	case "me":
		c.Assignee = &v.User.ID
	default:
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			h.renderTicket(w, r, http.StatusBadRequest, t, staffTicketPage{Error: "Choose an assignee from the list."})
			return
		}
		c.Assignee = &id
	}
	if c.Category != "" && !slices.Contains(h.categories, c.Category) {
		h.renderTicket(w, r, http.StatusBadRequest, t, staffTicketPage{Error: "Choose a category from the list."})
		return
	}
	err = h.store.ChangeTicket(r.Context(), c)
	if errors.Is(err, store.ErrInvalidChange) || errors.Is(err, store.ErrNotFound) {
		h.renderTicket(w, r, http.StatusBadRequest, t, staffTicketPage{Error: "That change is not possible: " + err.Error()})
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	usedWhen(r, c.Status != "", store.FeatureStatusChanged)
	back := "/inbox/tickets/" + itoa(t.Number) + savedQuery(r, c)
	if r.PostFormValue("next") == "inbox" {
		back = "/inbox"
	}
	http.Redirect(w, r, back, http.StatusSeeOther) // #nosec G710 -- our own path; the query holds field names and codes
}
