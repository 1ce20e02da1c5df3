package web

import (
	"log/slog"
	"net/http"
	"slices"

	"github.com/dargo-support/dargo/internal/textsafe"
	"github.com/dargo-support/dargo/store"
)

// portalHandler is the customer portal: my tickets, one ticket, replies and
// new tickets.
type portalHandler struct {
	store      TicketStore
	pages      *pages
	human      *humanCheck
	limiter    *limiter
	categories []string
	log        *slog.Logger
	// tagsVisible shows customers their tickets' tags (DARGO_TAGS_VISIBLE).
	tagsVisible bool
	// rating offers the customer their rating (rating_views.go); nil: none.
	rating *ratingHandler
}

// ticketsPerHour is how many tickets one account may open in the portal in
// an hour (mail has its own loop guards).
const ticketsPerHour = 20

// ticketsPage is the list of a customer's tickets.
type ticketsPage struct {
	Rows []store.InboxRow
	Next string
}

func (h *portalHandler) list(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	after, err := cursorParam(r)
	if err != nil {
		h.pages.message(w, r, http.StatusBadRequest, "Bad page link", "This page link is not valid. Start from the first page.")
		return
	}
	page, err := h.store.CustomerTickets(r.Context(), v.User.ID, after, 25)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	data := ticketsPage{Rows: page.Rows}
	if page.Next != nil {
		data.Next = "/tickets?after=" + page.Next.String()
	}
	h.pages.render(w, r, http.StatusOK, "tickets.html", "Your tickets", data)
}

// newTicketForm is the new-ticket form's data.
type newTicketForm struct {
	Subject, Text, Priority, Category string
	Categories                        []string
	Priorities                        []string
	Error                             string
	SubjectError                      string // next to the subject
	Held                              heldWork
}

// maxSubject is how long a new ticket's subject may be, in characters.
const maxSubject = 200

func (h *portalHandler) newForm(w http.ResponseWriter, r *http.Request) {
	d, held, err := loadHeld(r.Context(), h.store, viewerFrom(r.Context()).User.ID, 0)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	f := newTicketForm{Priority: store.PriorityNormal, Category: "general", Held: held}
	if d != nil {
		f.Subject, f.Text = d.Subject, d.Text
	}
	h.renderNew(w, r, http.StatusOK, f)
}

func (h *portalHandler) renderNew(w http.ResponseWriter, r *http.Request, status int, f newTicketForm) {
	f.Categories, f.Priorities = h.categories, customerPriorities
	f.Held.DraftURL = "/tickets/new/draft"
	h.pages.render(w, r, status, "ticket_new.html", "New ticket", f)
}

// saveNewDraft keeps the new-ticket form's subject and description as the
// customer types.
func (h *portalHandler) saveNewDraft(w http.ResponseWriter, r *http.Request) {
	saveDraft(w, r, h.store, store.Draft{UserID: viewerFrom(r.Context()).User.ID, Kind: store.DraftNew}, "description", true)
}

// create opens a ticket from the form, as a mail would: the customer gets the
// same confirmation, and can answer it by mail. Whatever stops it keeps the
// subject and description as the draft and the files staged.
func (h *portalHandler) create(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	c, err := startComposing(w, r, h.store, v.User.ID, 0)
	if err != nil {
		h.pages.failForm(w, r, err)
		return
	}
	f := newTicketForm{Priority: r.PostFormValue("priority"), Category: r.PostFormValue("category")}
	var errSubject, errText error
	f.Subject, errSubject = formText(r, "subject", maxSubject)
	f.Subject = textsafe.Clean(f.Subject) // no bidi tricks in what staff read
	f.Text, errText = formText(r, "description", maxTextBytes)
	hold := func(status int) {
		held, err := c.keep(r.Context(), store.Draft{Kind: store.DraftNew, Subject: f.Subject, Text: f.Text})
		if err != nil {
			h.pages.fail(w, r, err)
			return
		}
		f.Held = held
		h.renderNew(w, r, status, f)
	}
	if id, ok := c.removing(r); ok {
		if c.held.Notice, err = c.remove(r.Context(), id); err != nil {
			h.pages.fail(w, r, err)
			return
		}
		hold(http.StatusOK)
		return
	}
	switch {
	case errSubject != nil:
		f.SubjectError = errSubject.Error()
	case f.Subject == "":
		f.SubjectError = "Give the ticket a subject."
	}
	switch {
	case errText != nil:
		c.held.TextError = errText.Error()
	case f.Text == "":
		c.held.TextError = "Describe what you need."
	}
	f.Error = problems(f.SubjectError, c.held.TextError, c.held.FileError)
	switch {
	case f.Error != "":
	case !slices.Contains(customerPriorities, f.Priority):
		f.Error = "Choose a priority from the list."
	case !slices.Contains(h.categories, f.Category):
		f.Error = "Choose a category from the list."
	}
	if f.Error != "" {
		hold(http.StatusBadRequest)
		return
	}
	if _, status, problem := h.human.check(r); problem != "" {
		f.Error = problem
		hold(status)
		return
	}
	// New tickets per account are limited like sign-in links: a portal
	// session must not become a way to flood the inbox.
	wait, err := h.limiter.allow(r.Context(), "ticket-user", itoa(v.User.ID), ticketsPerHour)
	if err != nil || wait > 0 {
		f.Error = "You opened many tickets in a short time. Please wait a while, or reply to an existing ticket. Your ticket is kept here as a draft."
		w.Header().Set("Retry-After", itoa(int64(wait.Seconds())+1))
		hold(http.StatusTooManyRequests)
		return
	}
	files, err := c.attachments(r.Context())
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	got, err := h.store.RecordInbound(r.Context(), &store.Incoming{
		From:     store.Person{Email: v.User.Email, Name: v.User.Name},
		Subject:  f.Subject,
		Category: f.Category,
		Priority: f.Priority,
		Message: store.NewMessage{Kind: store.MessageInbound, Source: store.SourceWeb, Subject: f.Subject, Text: f.Text, VisibleText: f.Text,
			SenderAuth: store.SenderVerified, SenderAuthReason: "written by the signed-in customer"},
		Attachments: files,
		Confirm:     true,
	})
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	c.sent(r.Context(), h.log)
	used(r, store.FeatureTicketCreated)
	http.Redirect(w, r, "/tickets/"+itoa(got.TicketNumber), http.StatusSeeOther)
}
