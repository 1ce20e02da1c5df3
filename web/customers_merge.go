package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// customerMergePage is the confirmation of a merge: both records and what moves.
type customerMergePage struct {
	Keep, Other           *store.User
	KeepAddrs, OtherAddrs []string
	Plan                  *store.CustomerMerge
}

// mergeTarget finds the customer named in the form's "other" field, by
// address or by number, and checks they can be merged into keep; the
// string is what to tell staff when not.
func (h *privacyHandler) mergeTarget(r *http.Request, keep *store.User, other string) (*store.User, *store.CustomerMerge, string, error) {
	other = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(other), "#"))
	if other == "" {
		return nil, nil, "Give the address or number of the customer to merge into this one.", nil
	}
	var u *store.User
	var err error
	if id, perr := strconv.ParseInt(other, 10, 64); perr == nil {
		u, err = h.store.UserByID(r.Context(), id)
	} else {
		u, err = h.store.UserByEmail(r.Context(), other)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, "No customer has that address or number.", nil
	case err != nil:
		return nil, nil, "", err
	case u.ID == keep.ID || u.MergedInto != nil && *u.MergedInto == keep.ID:
		return nil, nil, "That address is already this customer's.", nil
	case u.Role != store.RoleCustomer:
		return nil, nil, "That is a staff account: staff accounts are not merged.", nil
	case u.ErasedAt != nil:
		return nil, nil, "That customer's data was erased.", nil
	case u.MergedInto != nil:
		return nil, nil, "That record was merged into another customer already.", nil
	}
	plan, err := h.store.PlanMerge(r.Context(), keep.ID, u.ID)
	if errors.Is(err, store.ErrInvalidChange) {
		return nil, nil, "These records cannot be merged.", nil
	}
	return u, plan, "", err
}

// confirmMerge shows both records and what a merge would move, with the
// button that does it.
func (h *privacyHandler) confirmMerge(w http.ResponseWriter, r *http.Request) {
	keep, err := h.customer(r)
	if err != nil || keep.ErasedAt != nil {
		h.pages.failOr404(w, r, errHidden)
		return
	}
	other, plan, refusal, err := h.mergeTarget(r, keep, r.URL.Query().Get("other"))
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if refusal != "" {
		h.pages.message(w, r, http.StatusBadRequest, "Not merged", refusal)
		return
	}
	page := customerMergePage{Keep: keep, Other: other, Plan: plan}
	if page.KeepAddrs, err = h.store.OtherAddresses(r.Context(), keep.ID); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if page.OtherAddrs, err = h.store.OtherAddresses(r.Context(), other.ID); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.pages.render(w, r, http.StatusOK, "customer_merge.html", "Merge customers", page)
}

// mergeCustomer merges the confirmed record into the customer in the path
// and shows their page with what moved. There is no undo.
func (h *privacyHandler) mergeCustomer(w http.ResponseWriter, r *http.Request) {
	keep, err := h.customer(r)
	if err != nil || keep.ErasedAt != nil {
		h.pages.failOr404(w, r, errHidden)
		return
	}
	other, _, refusal, err := h.mergeTarget(r, keep, r.PostFormValue("merge"))
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if refusal != "" {
		h.pages.message(w, r, http.StatusBadRequest, "Not merged", refusal)
		return
	}
	m, err := h.store.MergeCustomers(r.Context(), keep.ID, other.ID, viewerFrom(r.Context()).User.ID)
	if errors.Is(err, store.ErrInvalidChange) || errors.Is(err, store.ErrNotFound) {
		h.pages.message(w, r, http.StatusConflict, "Not merged", "These records cannot be merged any more; reload the customer's page.")
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.renderCustomer(w, r, keep, customerMergeNotice(m))
}

// customerMergeNotice says what a merge moved.
func customerMergeNotice(m *store.CustomerMerge) string {
	return fmt.Sprintf("Merged: %s is now one of this customer's addresses; %s, %s and %s moved here, with their sign-ins and choices.",
		m.Address, plural(m.Tickets, "ticket"), plural(m.Messages, "message"), plural(m.Sessions, "session"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
