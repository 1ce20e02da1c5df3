package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

	"github.com/dargo-support/dargo/store"
)

// inboxHandler is the staff inbox: queues, filters, search, tickets.
type inboxHandler struct {
	store      TicketStore
	staff      Store
	pages      *pages
	presence   *presence
	categories []string
	log        *slog.Logger
}

// inboxPage is the inbox list's data.
type inboxPage struct {
	Query      store.InboxQuery
	Assignee   string
	Rows       []store.InboxRow
	Next       string
	Queues     []string
	Statuses   []string
	Priorities []string
	Categories []string
	Staff      []store.User
}

var queues = []string{store.QueueOpen, store.QueuePending, store.QueueMine, store.QueueUnassigned, store.QueueAll}

func (h *inboxHandler) list(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	p := r.URL.Query()
	q := store.InboxQuery{Queue: p.Get("queue"), ViewerID: v.User.ID, Status: p.Get("status"), Priority: p.Get("priority"),
		Category: p.Get("category"), Search: p.Get("q"), Limit: 50}
	if q.Queue == "" {
		q.Queue = store.QueueOpen
	}
	if a := p.Get("assignee"); a != "" {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			h.pages.message(w, r, http.StatusBadRequest, "Bad filter", "The assignee filter is not valid.")
			return
		}
		q.AssigneeID = &id
	}
	after, err := cursorParam(r)
	if err != nil {
		h.pages.message(w, r, http.StatusBadRequest, "Bad page link", "This page link is not valid. Start from the first page.")
		return
	}
	q.After = after
	page, err := h.store.Inbox(r.Context(), q)
	if errors.Is(err, store.ErrInvalidQuery) {
		h.pages.message(w, r, http.StatusBadRequest, "Bad filter", "One of the filters is not valid: "+err.Error())
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	staff, err := h.staff.Staff(r.Context())
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	data := inboxPage{Query: q, Assignee: p.Get("assignee"), Rows: page.Rows, Queues: queues, Statuses: store.Statuses,
		Priorities: store.Priorities, Categories: h.categories, Staff: staff}
	if page.Next != nil {
		next := url.Values{}
		for k, vs := range p {
			if k != "after" {
				next[k] = vs
			}
		}
		next.Set("after", page.Next.String())
		data.Next = "/inbox?" + next.Encode()
	}
	usedWhen(r, q.Search != "" && after == nil, store.FeatureSearchRun) // a new search, not its next page
	h.pages.render(w, r, http.StatusOK, "inbox.html", "Inbox", data)
}
