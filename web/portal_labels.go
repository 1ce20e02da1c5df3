package web

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dargo-support/dargo/store"
)

// customerStatuses are the words a customer reads for a ticket's status;
// staff keep the codes.
var customerStatuses = map[string]string{
	store.StatusOpen:     "Open",
	store.StatusPending:  "Waiting for you",
	store.StatusResolved: "Resolved",
	store.StatusClosed:   "Closed",
}

// customerStatus returns the customer's word for a status.
func customerStatus(status string) string {
	if s, ok := customerStatuses[status]; ok {
		return s
	}
	return status
}

// customerPriorities are the priorities a customer may choose: "urgent" is
// for staff to decide.
var customerPriorities = []string{store.PriorityLow, store.PriorityNormal, store.PriorityHigh}

// labels are the words customers read for codes staff use.
type labels struct {
	categories map[string]string // by code, from DARGO_CATEGORY_NAMES
}

// Category returns a category's name for customers: the configured name,
// else the code capitalised, with - and _ as spaces ("billing-eu":
// "Billing eu").
func (l labels) Category(code string) string {
	if name, ok := l.categories[code]; ok {
		return name
	}
	if code == "" {
		return ""
	}
	name := strings.NewReplacer("-", " ", "_", " ").Replace(code)
	r, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[n:]
}
