package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/mail"

	"github.com/dargo-support/dargo/store"
)

// SuppressionStore is what the suppressions page needs from the database.
type SuppressionStore interface {
	Suppressions(ctx context.Context, q store.SuppressionQuery) ([]store.Suppression, error)
	Unsuppress(ctx context.Context, email string, actorID int64, via string) (*store.Suppression, error)
}

var _ SuppressionStore = (*store.DB)(nil)

// adminSuppressions serves /admin/suppressions: the addresses no mail goes
// to (they bounced for good or complained), and lifting one so mail goes
// to it again, which is audited.
type adminSuppressions struct {
	store SuppressionStore // nil when o.Store has no suppressions
	pages *pages
	log   *slog.Logger
}

func newAdminSuppressions(o Opts, p *pages) *adminSuppressions {
	ss, _ := o.Store.(SuppressionStore)
	return &adminSuppressions{store: ss, pages: p, log: o.Logger}
}

// suppressionsShown bounds the list; the search finds the others.
const suppressionsShown = 200

// suppressionsPage is what admin_suppressions.html shows.
type suppressionsPage struct {
	List   []store.Suppression
	Query  string
	More   bool   // more than suppressionsShown match
	Notice string // what the last action did
	Error  string // why it did nothing
}

func (h *adminSuppressions) list(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, suppressionsPage{Query: r.URL.Query().Get("q")})
}

func (h *adminSuppressions) render(w http.ResponseWriter, r *http.Request, status int, page suppressionsPage) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	list, err := h.store.Suppressions(r.Context(), store.SuppressionQuery{Contains: page.Query, Limit: suppressionsShown + 1})
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if len(list) > suppressionsShown {
		list, page.More = list[:suppressionsShown], true
	}
	page.List = list
	noStore(w)
	h.pages.render(w, r, status, "admin_suppressions.html", "Suppressions", page)
}

// remove lifts the suppression of the form's address and says so on the
// page (the address stays out of the URL, and so out of access logs).
func (h *adminSuppressions) remove(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	raw := r.PostFormValue("email")
	a, err := mail.ParseAddress(raw)
	if err != nil {
		h.render(w, r, http.StatusUnprocessableEntity, suppressionsPage{Error: "Nothing lifted: that is not an email address."})
		return
	}
	s, err := h.store.Unsuppress(r.Context(), a.Address, viewerFrom(r.Context()).User.ID, store.LiftedOnWeb)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.render(w, r, http.StatusNotFound, suppressionsPage{Error: "Nothing lifted: " + store.NormalizeEmail(a.Address) + " is not on the suppression list."})
		return
	case err != nil:
		h.pages.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, suppressionsPage{Notice: "Suppression lifted: mail goes to " + s.Email +
		" again (it was suppressed for " + s.Reason + ", source " + s.Source + "). If it bounces for good again, it is suppressed again."})
}
