package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	undo       *undoer // nil: every mail goes at once, no Undo
	bulk       BulkStore
}

// inboxPage is the inbox list's data.
type inboxPage struct {
	Query      store.InboxQuery
	Assignee   string
	Rows       []inboxRow
	Next       string
	Queues     []queueTab
	Statuses   []string
	Priorities []string
	Categories []string
	Staff      []store.User
	// Back is this list's address, for its ticket links; Notice says what
	// the last action did; Undos are the viewer's actions still undoable.
	Back   string
	Notice string
	Undos  []undoNote
	// TagFilters are the ?tag= filters, each with the list's address
	// without it.
	TagFilters []tagFilter
	// Bulk is the bulk action bar's fields (issue 17); BulkUndo the
	// undoable actions of the bulk status change just made.
	Bulk     bulkControls
	BulkUndo []int64
	// Sort is how the list is sorted: the column headers' links
	// (inbox_sla.go).
	Sort listSort
}

// tagFilter is one tag the list is narrowed to, and the address of the
// list without it.
type tagFilter struct {
	Name, Without string
}

// tagFilters lists the ?tag= filters of the list's query p.
func tagFilters(p url.Values) []tagFilter {
	var out []tagFilter
	for _, name := range p["tag"] {
		without := url.Values{}
		for k, vs := range p {
			if k != "tag" && k != "after" && k != "notice" && k != "ticket" {
				without[k] = vs
			}
		}
		for _, other := range p["tag"] {
			if other != name {
				without.Add("tag", other)
			}
		}
		u := "/inbox"
		if len(without) > 0 {
			u += "?" + without.Encode()
		}
		out = append(out, tagFilter{Name: name, Without: u})
	}
	return out
}

// inboxRow is a row of the list as inbox.html reads it. It is flat: the
// template looks each field up by name on every row, and a name found only
// in an embedded struct (store.InboxRow's Ticket) costs a search of the
// whole type each time, which was a third of a 50-row page's rendering.
type inboxRow struct {
	Ticket                                    store.Ticket // for due
	Number                                    int64
	Subject, Flag, Status, Priority, Category string
	LastActivityAt                            time.Time
	CustomerName, CustomerEmail               string
	AssigneeEmail                             *string
	Unread, Merged                            bool
	Waiting                                   *time.Time
	Preview, LastKind                         string
	Snippet                                   *store.Snippet
	Tags                                      []string
	Wakes                                     string // a snoozed ticket: when it comes back, in the viewer's zone
	// SLA says how the SLA clock stands ("due in 40 min", "overdue 2 h",
	// "paused"); SLAOverdue marks it red.
	SLA        string
	SLAOverdue bool
}

func inboxRows(rows []store.InboxRow, now time.Time) []inboxRow {
	out := make([]inboxRow, len(rows))
	for i, r := range rows {
		out[i] = inboxRow{Ticket: r.Ticket, Number: r.Number, Subject: r.Subject, Flag: r.Flag, Status: r.Status,
			Priority: r.Priority, Category: r.Category, LastActivityAt: r.LastActivityAt, CustomerName: r.CustomerName,
			CustomerEmail: r.CustomerEmail, AssigneeEmail: r.AssigneeEmail, Unread: r.Unread(), Merged: r.MergedInto != nil, Waiting: r.Waiting(),
			Preview: r.Preview, LastKind: r.LastKind, Snippet: r.Snippet, Tags: r.Tags}
		out[i].SLA, out[i].SLAOverdue = slaLabel(r, now)
	}
	return out
}

// queueTab is a queue's tab: its name and, unless it is "all", its count.
type queueTab struct {
	Name    string
	Count   int
	Counted bool
	Capped  bool // there are Count or more (store.QueueCountCap)
}

var queues = []string{store.QueueOpen, store.QueuePending, store.QueueMine, store.QueueUnassigned, store.QueueSnoozed, store.QueueAll}

func (h *inboxHandler) list(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	p := r.URL.Query()
	q := store.InboxQuery{Queue: p.Get("queue"), ViewerID: v.User.ID, Status: p.Get("status"), Priority: p.Get("priority"),
		Category: p.Get("category"), Search: p.Get("q"), Tags: p["tag"], Sort: p.Get("sort"), Limit: 50}
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
	if n, ok := ticketNumber(q.Search); ok && after == nil {
		t, err := h.store.TicketByNumber(r.Context(), n)
		if err == nil {
			http.Redirect(w, r, "/inbox/tickets/"+strconv.FormatInt(t.Number, 10), http.StatusSeeOther)
			return
		}
		if !errors.Is(err, store.ErrNotFound) {
			h.pages.fail(w, r, err)
			return
		}
		// No such ticket: search for the number as text.
	}
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
	counts, err := h.store.QueueCounts(r.Context(), v.User.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	data := inboxPage{Query: q, Assignee: p.Get("assignee"), Rows: inboxRows(page.Rows, h.pages.clock()), Statuses: store.Statuses,
		Priorities: store.Priorities, Categories: h.categories, Staff: staff, Back: listBack(p),
		TagFilters: tagFilters(p), Sort: sortLinks(p)}
	if err := h.snoozedRows(r.Context(), v.User.ID, page.Rows, data.Rows); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if data.Bulk, err = h.bulkControls(r.Context(), bulkForm{}, staff); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if data.Undos, err = h.undo.pending(r.Context(), v.User.ID, data.Back); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	data.Notice = listNotice(p, data.Undos)
	switch p.Get("notice") {
	case "bulk":
		data.Notice = bulkNotice(p, staff, h.categories)
		if data.Notice != "" {
			data.BulkUndo = bulkIDs(p.Get("undo"))
		}
	case "bulk-undone":
		data.Notice = bulkUndoneNotice(p)
	}
	for _, name := range queues {
		n, ok := counts.Of(name)
		data.Queues = append(data.Queues, queueTab{Name: name, Count: n, Counted: ok, Capped: n >= store.QueueCountCap})
	}
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

// ticketNumber reads a search that is only a ticket number, "123" or "#123".
func ticketNumber(search string) (int64, bool) {
	s := strings.TrimPrefix(strings.TrimSpace(search), "#")
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}
