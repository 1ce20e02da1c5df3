package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/store"
)

// customersPage is the staff's list of customers.
type customersPage struct {
	Query string
	Rows  []store.CustomerRow
	Prev  string // link to the previous page, "" on the first
	Next  string // link to the next page, "" on the last
}

// listCustomers is /inbox/customers: every customer, newest contact first,
// searched by name or address with ?q=.
func (h *privacyHandler) listCustomers(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if r := []rune(q); len(r) > 200 {
		q = string(r[:200])
	}
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		n = 1
	}
	res, err := h.store.Customers(r.Context(), q, n)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	link := func(page int) string {
		v := url.Values{"page": {strconv.Itoa(page)}}
		if q != "" {
			v.Set("q", q)
		}
		return "/inbox/customers?" + v.Encode()
	}
	out := customersPage{Query: q, Rows: res.Rows}
	if n > 1 {
		out.Prev = link(n - 1)
	}
	if res.More {
		out.Next = link(n + 1)
	}
	h.pages.render(w, r, http.StatusOK, "customers.html", "Customers", out)
}
