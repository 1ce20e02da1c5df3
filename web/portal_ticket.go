package web

import (
	"net/http"

	"github.com/dargo-support/dargo/store"
)

// ticketPage is one ticket as its customer sees it.
type ticketPage struct {
	Ticket   *store.Ticket
	Messages []store.ThreadMessage
	Draft    string
	Error    string
	Held     heldWork
	Images   int64          // the message whose remote images the viewer asked for
	ForStaff bool           // false: the customer's view
	People   []portalPerson // who is on the ticket (inbox_people.go)
	Tags     []string       // only when staff show tags to customers (DARGO_TAGS_VISIBLE)
	Key      string         // the reply form's idempotency key
	Notice   string         // "Merged into #N: #A continues here." after a merged ticket's redirect
	// FollowUpOf and ContinuedIn link a follow-up and the long-closed
	// ticket it follows, as far as the viewer takes part in them.
	FollowUpOf  *store.Ticket
	ContinuedIn []store.Ticket

	threadPaging // long threads show their latest messages (thread_paging.go)

	Rating *portalRating // the customer's satisfaction rating (rating_views.go)
}

func (h *portalHandler) show(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	v := viewerFrom(r.Context())
	if hasRole(v.User, store.RoleStaff) {
		http.Redirect(w, r, "/inbox/tickets/"+itoa(t.Number), http.StatusSeeOther)
		return
	}
	if done, err := redirectMerged(w, r, h.store, t, "/tickets/"); done || err != nil {
		if err != nil {
			h.pages.fail(w, r, err)
		}
		return
	}
	d, held, err := loadHeld(r.Context(), h.store, v.User.ID, t.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	data := ticketPage{Held: held, Notice: mergedFrom(r.Context(), h.store, r, t)}
	if d != nil {
		data.Draft = d.Text
	}
	h.renderTicket(w, r, http.StatusOK, t, data)
}

func (h *portalHandler) renderTicket(w http.ResponseWriter, r *http.Request, status int, t *store.Ticket, data ticketPage) {
	shown := threadShown(r)
	msgs, earlier, err := h.store.ThreadLatest(r.Context(), t.ID, false, shown)
	var people []portalPerson
	if err == nil {
		people, err = portalPeople(r.Context(), h.store, t, viewerFrom(r.Context()).User.ID)
	}
	if err == nil {
		data.Rating, err = h.rating.portalRatingFor(r.Context(), t, viewerFrom(r.Context()).User.ID)
	}
	if err == nil && h.tagsVisible {
		data.Tags, err = h.store.TicketTags(r.Context(), t.ID)
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if err := h.portalLinks(r, t, &data); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	data.Ticket, data.Messages, data.Images, data.People = t, msgs, imagesParam(r), people
	data.threadPaging = pagingFor("/tickets/"+itoa(t.Number), msgs, shown, earlier)
	data.Held.DraftURL = "/tickets/" + itoa(t.Number) + "/draft"
	if data.Key == "" {
		data.Key = formKey()
	}
	h.pages.render(w, r, status, "ticket.html", "#"+itoa(t.Number)+" "+t.Subject, data)
}

// reply adds the customer's answer, as a mail to the ticket would, and
// reopens the ticket if it was waiting or done. Whatever stops it keeps the
// text as the draft and the files staged.
func (h *portalHandler) reply(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	v := viewerFrom(r.Context())
	c, err := startComposing(w, r, h.store, v.User.ID, t.ID)
	if err != nil {
		h.pages.failForm(w, r, err)
		return
	}
	text, err := formText(r, "text", maxTextBytes)
	hold := func(status int, problem string) {
		held, kerr := c.keep(r.Context(), store.Draft{Kind: store.DraftReply, Text: text})
		if kerr != nil {
			h.pages.fail(w, r, kerr)
			return
		}
		h.renderTicket(w, r, status, t, ticketPage{Draft: text, Error: problem, Held: held})
	}
	if id, ok := c.removing(r); ok {
		if c.held.Notice, err = c.remove(r.Context(), id); err != nil {
			h.pages.fail(w, r, err)
			return
		}
		hold(http.StatusOK, "")
		return
	}
	if err == nil && text == "" {
		err = errEmptyReply
	}
	if err != nil || c.held.FileError != "" {
		if err != nil {
			c.held.TextError = err.Error()
		}
		hold(http.StatusBadRequest, problems(c.held.TextError, c.held.FileError))
		return
	}
	files, err := c.attachments(r.Context())
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	got, err := h.store.RecordInbound(r.Context(), &store.Incoming{
		TicketID: t.ID,
		From:     store.Person{Email: v.User.Email, Name: v.User.Name},
		Message: store.NewMessage{Kind: store.MessageInbound, Source: store.SourceWeb, Subject: "Re: " + t.Subject, Text: text, VisibleText: text,
			SenderAuth: store.SenderVerified, SenderAuthReason: "written by a signed-in participant"},
		Attachments: files,
		Reopen:      true,
		Key:         postedKey(r),
	})
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	c.sent(r.Context(), h.log)
	used(r, store.FeatureReplySent)
	if got.TicketNumber != t.Number {
		// Closed too long ago to reopen: the answer opened a follow-up.
		http.Redirect(w, r, "/tickets/"+itoa(got.TicketNumber)+"?notice=followup#latest", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/tickets/"+itoa(t.Number)+"#latest", http.StatusSeeOther)
}

// saveDraft keeps the customer's reply as they type.
func (h *portalHandler) saveDraft(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	saveDraft(w, r, h.store, store.Draft{UserID: viewerFrom(r.Context()).User.ID, TicketID: t.ID, Kind: store.DraftReply}, "text", false)
}

var errEmptyReply = errorString("Write a reply before sending.")

// errorString is an error whose text is shown to the person.
type errorString string

func (e errorString) Error() string { return string(e) }

// imagesParam is the message id in ?images=, whose remote images to show.
func imagesParam(r *http.Request) int64 {
	id, _ := parseID(r.URL.Query().Get("images"))
	return id
}
