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
	Images   int64 // the message whose remote images the viewer asked for
	ForStaff bool  // false: the customer's view

	threadPaging // long threads show their latest messages (thread_paging.go)
}

func (h *portalHandler) show(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	if hasRole(viewerFrom(r.Context()).User, roleStaff) {
		http.Redirect(w, r, "/inbox/tickets/"+itoa(t.Number), http.StatusSeeOther)
		return
	}
	h.renderTicket(w, r, http.StatusOK, t, "", "")
}

func (h *portalHandler) renderTicket(w http.ResponseWriter, r *http.Request, status int, t *store.Ticket, draft, problem string) {
	shown := threadShown(r)
	msgs, earlier, err := h.store.ThreadLatest(r.Context(), t.ID, false, shown)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.pages.render(w, r, status, "ticket.html", "#"+itoa(t.Number)+" "+t.Subject,
		ticketPage{Ticket: t, Messages: msgs, Draft: draft, Error: problem, Images: imagesParam(r),
			threadPaging: pagingFor("/tickets/"+itoa(t.Number), msgs, shown, earlier)})
}

// reply adds the customer's answer, as a mail to the ticket would, and
// reopens the ticket if it was waiting or done.
func (h *portalHandler) reply(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	v := viewerFrom(r.Context())
	if err := parseForm(w, r); err != nil {
		h.renderTicket(w, r, http.StatusRequestEntityTooLarge, t, "", "The files are too large: at most 25 MB in all.")
		return
	}
	text, err := formText(r, "text", maxTextBytes)
	if err == nil && text == "" {
		err = errEmptyReply
	}
	if err != nil {
		h.renderTicket(w, r, http.StatusBadRequest, t, text, err.Error())
		return
	}
	files, err := formFiles(r)
	if err != nil {
		h.renderTicket(w, r, http.StatusBadRequest, t, text, err.Error())
		return
	}
	_, err = h.store.Deliver(r.Context(), &store.Delivery{
		TicketID: t.ID,
		From:     store.Person{Email: v.User.Email, Name: v.User.Name},
		Message: store.NewMessage{Kind: "inbound", Source: "web", Subject: "Re: " + t.Subject, Text: text, VisibleText: text,
			SenderAuth: store.SenderVerified, SenderAuthReason: "written by a signed-in participant"},
		Attachments: files,
		Reopen:      true,
	})
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	used(r, store.FeatureReplySent)
	http.Redirect(w, r, "/tickets/"+itoa(t.Number)+"#latest", http.StatusSeeOther)
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
