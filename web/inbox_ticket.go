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
	Collision   bool     // a reply came in while this one was written
	Held        heldWork // staged files, problems by field, colleagues' drafts
	Images      int64
	ForStaff    bool // staff see authors' addresses
	Notice      string
	// Suggestions are people a mail named who were not added (first
	// shownSuggestions of them); MoreSuggestions counts the rest.
	Suggestions     []store.CcSuggestion
	MoreSuggestions int
	// People are the ticket's participants and who gets a reply (inbox_people.go).
	People peopleView
	// Back is the list the ticket was opened from (?back=), for u, e and
	// every action to return to; Key is the reply form's idempotency key;
	// Undos are the viewer's actions on this ticket still undoable.
	Back  string
	Key   string
	Undos []undoNote
	// Merge says what a merge into this ticket just did, with its Undo
	// (inbox_merge.go).
	Merge *mergeNote
	// Notify is who follows the ticket, @mentions and held answers by mail (inbox_follow.go).
	Notify notifyView
	// MailLog is every mail about the ticket, and how it went (mail_log.go).
	MailLog mailLog
	// Tags are the ticket's tags and the add form (inbox_tags.go).
	Tags tagsView
	// Splits link this ticket to the ones messages were split off into,
	// or from; FirstMessage is the one message a split refuses (inbox_split.go).
	Splits       splitLinks
	FirstMessage int64
	// Saved is the saved reply inserted in the composer (saved_replies_compose.go).
	Saved *savedPick

	// Forwards are the ticket's forwards by the message they forwarded;
	// Forward is the forward form shown again with its problem (inbox_forward.go).
	Forwards map[int64][]store.Forward
	Forward  forwardForm

	threadPaging // long threads show their latest messages (thread_paging.go)

	// Ratings are the customer's satisfaction ratings (rating_views.go).
	Ratings []store.TicketRating
	// Snooze is the snooze box; Links the follow-up links (inbox_snooze.go).
	Snooze snoozeView
	Links  *store.TicketLinks
}

func (h *inboxHandler) show(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	if done, err := redirectMerged(w, r, h.store, t, "/inbox/tickets/"); done || err != nil {
		if err != nil {
			h.pages.fail(w, r, err)
		}
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
		shown, earlier := threadShown(r), 0
		data.Messages, earlier, err = h.store.ThreadLatest(ctx, t.ID, true, shown)
		data.threadPaging = pagingFor("/inbox/tickets/"+itoa(t.Number), data.Messages, shown, earlier)
	}
	if err == nil {
		err = h.markRead(ctx, t.ID, v.User.ID, data.Messages)
	}
	if err == nil {
		data.Activities, err = h.store.Activities(ctx, t.ID)
	}
	if err == nil {
		data.Ratings, err = staffRatings(ctx, h.store, t.ID)
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
	if err == nil {
		err = h.loadPeople(ctx, t, &data.People)
	}
	if err == nil {
		err = h.composerState(ctx, v.User.ID, t, &data)
	}
	if err == nil {
		err = h.loadSavedPick(ctx, r, t, &data)
	}
	if err == nil {
		err = h.loadNotify(ctx, r, t, &data)
	}
	if err == nil {
		data.MailLog, err = loadMailLog(ctx, h.store, t.ID)
	}
	if err == nil {
		err = h.loadTags(ctx, r, t, &data)
	}
	if err == nil {
		data.Forwards, err = h.forwardsOf(ctx, t)
	}
	if data.Notice == "" && data.Error == "" {
		data.Notice = ticketNotices[r.URL.Query().Get("notice")]
		if data.Notice == "" {
			data.Notice = startedNotice(r, t, data.Customer)
		}
		if data.Notice == "" {
			data.Notice = forwardNotices[r.URL.Query().Get("notice")]
		}
		if data.Notice == "" {
			data.Notice = undoNotices[r.URL.Query().Get("notice")]
		}
		if data.Notice == "" {
			data.Notice = replyUndone(r.URL.Query().Get("notice"))
		}
		if data.Notice == "" {
			data.Notice = mergeNotices[r.URL.Query().Get("notice")]
		}
		if data.Notice == "" {
			data.Notice = mergedFrom(ctx, h.store, r, t)
		}
	}
	data.Back = backParam(r)
	if data.Key == "" {
		data.Key = formKey()
	}
	if err == nil {
		data.Undos, err = h.undo.pending(ctx, v.User.ID, ticketURL(t.Number, data.Back))
	}
	if err == nil {
		data.Merge, err = h.mergeNoteFor(ctx, r, t)
	}
	if err == nil {
		err = h.loadSplits(ctx, r, t, &data)
	}
	if err == nil {
		err = h.loadSnooze(ctx, r, t, &data)
	}
	if data.Notice == "" && data.Error == "" && data.People.Error == "" {
		data.Notice = h.personNotice(r)
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
		Category: changed("category"), Hold: h.undo.window()}
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
	// Where the list goes on after this ticket, as it was sorted before
	// the change: "e" returns there, with that row selected.
	var next int64
	if r.PostFormValue("next") == "inbox" && h.undo != nil {
		if next, err = h.undo.nextInList(r.Context(), v.User.ID, backParam(r), t); err != nil {
			h.pages.fail(w, r, err)
			return
		}
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
	q := savedQuery(r, c)
	if b := backParam(r); b != "" {
		q.Set("back", b)
	}
	back := "/inbox/tickets/" + itoa(t.Number) + "?" + q.Encode()
	if r.PostFormValue("next") == "inbox" {
		notice := "updated"
		if c.Status == store.StatusResolved {
			notice = "resolved"
		}
		back = listURL(backParam(r), notice, t.Number, next)
	}
	http.Redirect(w, r, back, http.StatusSeeOther) // #nosec G710 -- our own inbox path (backParam checks it); the query holds field names and codes
}
