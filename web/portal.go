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
}

func (h *portalHandler) newForm(w http.ResponseWriter, r *http.Request) {
	h.renderNew(w, r, http.StatusOK, newTicketForm{Priority: "normal", Category: "general"})
}

func (h *portalHandler) renderNew(w http.ResponseWriter, r *http.Request, status int, f newTicketForm) {
	f.Categories, f.Priorities = h.categories, customerPriorities
	h.pages.render(w, r, status, "ticket_new.html", "New ticket", f)
}

// create opens a ticket from the form, as a mail would: the customer gets the
// same confirmation, and can answer it by mail.
func (h *portalHandler) create(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	if err := parseForm(w, r); err != nil {
		h.renderNew(w, r, http.StatusRequestEntityTooLarge, newTicketForm{Error: "The files are too large: at most 25 MB in all."})
		return
	}
	f := newTicketForm{Priority: r.PostFormValue("priority"), Category: r.PostFormValue("category")}
	var err, errText error
	f.Subject, err = formText(r, "subject", 200)
	f.Subject = textsafe.Clean(f.Subject) // no bidi tricks in what staff read
	f.Text, errText = formText(r, "description", maxTextBytes)
	if err == nil {
		err = errText
	}
	switch {
	case err != nil:
		f.Error = err.Error()
	case f.Subject == "":
		f.Error = "Give the ticket a subject."
	case f.Text == "":
		f.Error = "Describe what you need."
	case !slices.Contains(customerPriorities, f.Priority):
		f.Error = "Choose a priority from the list."
	case !slices.Contains(h.categories, f.Category):
		f.Error = "Choose a category from the list."
	}
	if f.Error != "" {
		h.renderNew(w, r, http.StatusBadRequest, f)
		return
	}
	if _, status, problem := h.human.check(r); problem != "" {
		f.Error = problem
		h.renderNew(w, r, status, f)
		return
	}
	// New tickets per account are limited like sign-in links: a portal
	// session must not become a way to flood the inbox.
	wait, err := h.limiter.allow(r.Context(), "ticket-user", itoa(v.User.ID), ticketsPerHour)
	if err != nil || wait > 0 {
		f.Error = "You opened many tickets in a short time. Please wait a while, or reply to an existing ticket."
		w.Header().Set("Retry-After", itoa(int64(wait.Seconds())+1))
		h.renderNew(w, r, http.StatusTooManyRequests, f)
		return
	}
	files, err := formFiles(r)
	if err != nil {
		f.Error = err.Error()
		h.renderNew(w, r, http.StatusBadRequest, f)
		return
	}
	got, err := h.store.Deliver(r.Context(), &store.Delivery{
		From:     store.Person{Email: v.User.Email, Name: v.User.Name},
		Subject:  f.Subject,
		Category: f.Category,
		Priority: f.Priority,
		Message: store.NewMessage{Kind: "inbound", Source: "web", Subject: f.Subject, Text: f.Text, VisibleText: f.Text,
			SenderAuth: store.SenderVerified, SenderAuthReason: "written by the signed-in customer"},
		Attachments: files,
		Confirm:     true,
	})
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	used(r, store.FeatureTicketCreated)
	http.Redirect(w, r, "/tickets/"+itoa(got.TicketNumber), http.StatusSeeOther)
}
