package web

import (
	"net/http"

	"github.com/dargo-support/dargo/store"
)

// customerPage is a customer as staff see them.
type customerPage struct {
	Customer *store.User
	Tickets  []store.InboxRow
	Erased   *store.Erased
	Choices  []choiceView
	Notices  []string // what the last action changed
	// NameNotice says what the name form saved.
	NameNotice string
	// OtherAddresses are those of records merged into this one.
	OtherAddresses []string
	// MergeNotice says what a merge moved.
	MergeNotice string
}

// customer loads the customer in the path; staff accounts are not
// customers here.
func (h *privacyHandler) customer(r *http.Request) (*store.User, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	u, err := h.store.UserByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if u.MergedInto != nil { // a merged record is the person it was merged into
		if u, err = h.store.UserByID(r.Context(), *u.MergedInto); err != nil {
			return nil, err
		}
	}
	if u.Role != store.RoleCustomer {
		return nil, errHidden
	}
	return u, nil
}

func (h *privacyHandler) showCustomer(w http.ResponseWriter, r *http.Request) {
	u, err := h.customer(r)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	h.renderCustomer(w, r, u, "")
}

// renderCustomer shows the customer's page, with a notice of what the last
// action did ("" for none).
func (h *privacyHandler) renderCustomer(w http.ResponseWriter, r *http.Request, u *store.User, notice string) {
	page, err := h.tickets.CustomerTickets(r.Context(), u.ID, nil, 50)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	choices, err := h.store.Choices(r.Context(), u.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	others, err := h.store.OtherAddresses(r.Context(), u.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.pages.render(w, r, http.StatusOK, "customer.html", "Customer", customerPage{Customer: u, Tickets: page.Rows, OtherAddresses: others,
		Choices: viewChoices(choices, true), Notices: notices(r, staffChoiceNotices), NameNotice: nameNotice(r, "their", u.Name), MergeNotice: notice})
}

func (h *privacyHandler) exportCustomer(w http.ResponseWriter, r *http.Request) {
	u, err := h.customer(r)
	if err != nil || u.ErasedAt != nil {
		h.pages.failOr404(w, r, errHidden)
		return
	}
	h.sendExport(w, r, u, r.URL.Query().Get("zip") == "1")
}

// correctCustomerName is a staff correction of a customer's name.
func (h *privacyHandler) correctCustomerName(w http.ResponseWriter, r *http.Request) {
	u, err := h.customer(r)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	name, err := formText(r, "name", 100)
	if err != nil {
		h.pages.message(w, r, http.StatusBadRequest, "Name not changed", err.Error())
		return
	}
	if err := h.store.ChangeName(r.Context(), viewerFrom(r.Context()).User.ID, u.ID, name); err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	http.Redirect(w, r, "/inbox/customers/"+itoa(u.ID)+"?notice=name-saved#name", http.StatusSeeOther) // #nosec G710 -- our own path and a number
}

// eraseCustomer erases a customer on their request received by staff (by
// mail, by phone); the form asks to type "erase" to confirm.
func (h *privacyHandler) eraseCustomer(w http.ResponseWriter, r *http.Request) {
	u, err := h.customer(r)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	if r.PostFormValue("confirm") != "erase" {
		h.pages.message(w, r, http.StatusBadRequest, "Not erased", `Type "erase" in the box to confirm.`)
		return
	}
	res, err := h.store.Erase(r.Context(), u.ID, store.EraseOpts{ActorID: viewerFrom(r.Context()).User.ID, Block: r.PostFormValue("block") == "1"})
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	u, err = h.store.UserByID(r.Context(), u.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.pages.render(w, r, http.StatusOK, "customer.html", "Customer", customerPage{Customer: u, Erased: res})
}
