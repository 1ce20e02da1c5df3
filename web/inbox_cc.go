package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/dargo-support/dargo/store"
)

// shownSuggestions is how many suggested people a ticket page lists.
const shownSuggestions = 20

// ticketNotices are what a ticket page says after an action redirected to
// it (?notice=...): every action says what it did.
var ticketNotices = map[string]string{
	"cc-added":     "Added. They now see this ticket in their portal and get its replies.",
	"cc-dismissed": "Dismissed. They were not added.",
	"cc-all":       "Dismissed every suggestion. Nobody was added.",
	"cc-gone":      "That suggestion was already decided (perhaps by a colleague).",
}

// ccReasons say why a person was suggested instead of added.
var ccReasons = map[string]string{
	store.CcUnverified:  "the mail's sender is not verified",
	store.CcOverCap:     "the mail named more people than may be added at once",
	store.CcNotCustomer: "named by someone other than the customer",
}

// acceptCc adds a suggested person to the ticket.
func (h *inboxHandler) acceptCc(w http.ResponseWriter, r *http.Request) {
	h.decideCc(w, r, func(ticketID, id, staffID int64) (string, error) {
		_, err := h.store.AcceptCc(r.Context(), ticketID, id, staffID)
		return "cc-added", err
	})
}

// dismissCc drops one suggestion, or all of them ({id} is "all").
func (h *inboxHandler) dismissCc(w http.ResponseWriter, r *http.Request) {
	h.decideCc(w, r, func(ticketID, id, staffID int64) (string, error) {
		_, err := h.store.DismissCc(r.Context(), ticketID, id, staffID)
		if id == 0 {
			return "cc-all", err
		}
		return "cc-dismissed", err
	})
}

func (h *inboxHandler) decideCc(w http.ResponseWriter, r *http.Request, do func(ticketID, id, staffID int64) (string, error)) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	var id int64
	if raw := r.PathValue("id"); raw != "all" {
		if id, err = strconv.ParseInt(raw, 10, 64); err != nil || id <= 0 {
			h.pages.notFound(w, r)
			return
		}
	}
	notice, err := do(t.ID, id, viewerFrom(r.Context()).User.ID)
	if errors.Is(err, store.ErrNotFound) {
		notice, err = "cc-gone", nil
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/inbox/tickets/"+itoa(t.Number)+"?notice="+notice+"#cc-h", http.StatusSeeOther)
}
