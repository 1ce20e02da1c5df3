package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// maxForwardNote is how long a forward's note may be, in bytes.
const maxForwardNote = 10000

// forwardForm is the forward form of one message, shown again with its problem.
type forwardForm struct {
	MessageID int64
	To, Note  string
	Error     string
}

// forwardNotices are what the ticket page says after a forward.
var forwardNotices = map[string]string{
	"forwarded":      "Forwarded; the mail is queued. An answer to it comes back here as an internal note, seen by staff only.",
	"forwarded-held": "Forward recorded, but its mail was not queued: the address is suppressed. See the mail log.",
}

// forward sends one message of the ticket, with its files and a note, to
// a third party who does not take part in the ticket.
func (h *inboxHandler) forward(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	msgID, _ := strconv.ParseInt(r.PostFormValue("message"), 10, 64)
	f := forwardForm{MessageID: msgID, To: strings.TrimSpace(r.PostFormValue("to"))}
	var noteErr error
	f.Note, noteErr = formText(r, "note", maxForwardNote)
	again := func(problem string) {
		f.Error = problem
		h.renderTicket(w, r, http.StatusBadRequest, t, staffTicketPage{Forward: f})
	}
	if msgID <= 0 {
		h.pages.notFound(w, r)
		return
	}
	if noteErr != nil {
		again(noteErr.Error())
		return
	}
	to, err := store.ParseAddress(f.To, "")
	if err != nil || strings.Contains(f.To, ",") {
		again("Type one email address, like parts@supplier.example.")
		return
	}
	got, err := h.store.Forward(r.Context(), store.NewForward{TicketID: t.ID, MessageID: msgID, ActorID: viewerFrom(r.Context()).User.ID, To: to.Email, Note: f.Note})
	switch {
	case errors.Is(err, store.ErrForwardToParticipant):
		again(to.Email + " takes part in this ticket and gets its mail already: forward to someone who does not, or reply instead.")
		return
	case errors.Is(err, store.ErrStaffAddress):
		again("That address belongs to staff, who see every ticket: mention them in a note instead (@name).")
		return
	case errors.Is(err, store.ErrAddressBlocked):
		again("That address was erased at its owner's request and may not be written to again.")
		return
	case errors.Is(err, store.ErrInvalidChange):
		again("Internal notes are not forwarded: forward a message of the conversation.")
		return
	case err != nil:
		h.pages.failOr404(w, r, err)
		return
	}
	notice := "forwarded"
	if got.MailStatus != store.EmailQueued {
		notice = "forwarded-held"
	}
	http.Redirect(w, r, "/inbox/tickets/"+itoa(t.Number)+"?notice="+notice+"#m"+itoa(msgID), http.StatusSeeOther)
}

// forwardsOf groups the ticket's forwards by the message they forwarded.
func (h *inboxHandler) forwardsOf(ctx context.Context, t *store.Ticket) (map[int64][]store.Forward, error) {
	list, err := h.store.Forwards(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	out := map[int64][]store.Forward{}
	for _, f := range list {
		if f.MessageID != nil {
			out[*f.MessageID] = append(out[*f.MessageID], f)
		}
	}
	return out, nil
}

// forwardsBlock is what the thread shows under one message for staff:
// its forwards and its Forward form.
type forwardsBlock struct {
	Number, MessageID int64
	List              []store.Forward
	Form              forwardForm
}

// forwardsView picks message msgID's forwards (and the form shown again
// with its problem, when it is this message's) from a staff ticket page.
func forwardsView(page any, msgID int64) forwardsBlock {
	p, ok := page.(staffTicketPage)
	if !ok || p.Ticket == nil {
		return forwardsBlock{MessageID: msgID}
	}
	b := forwardsBlock{Number: p.Ticket.Number, MessageID: msgID, List: p.Forwards[msgID]}
	if p.Forward.MessageID == msgID {
		b.Form = p.Forward
	}
	return b
}
