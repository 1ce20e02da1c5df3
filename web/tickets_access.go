package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/dargo-support/dargo/store"
)

// errHidden is a ticket or file the viewer may not see: answered 404, as if
// it did not exist, so nobody learns which numbers are taken.
var errHidden = errors.New("web: not the viewer's")

// canSee reports whether the viewer may read the ticket: staff read every
// ticket, a customer only those they take part in.
func canSee(r *http.Request, s TicketStore, t *store.Ticket) error {
	v := viewerFrom(r.Context())
	if v == nil {
		return errHidden
	}
	if hasRole(v.User, store.RoleStaff) {
		return nil
	}
	ok, err := s.IsParticipantUser(r.Context(), t.ID, v.User.ID)
	if err != nil {
		return err
	}
	if !ok {
		return errHidden
	}
	return nil
}

// ticketFromPath loads the ticket whose number is in the path and checks the
// viewer may see it.
func ticketFromPath(r *http.Request, s TicketStore) (*store.Ticket, error) {
	n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	if err != nil || n <= 0 {
		return nil, errHidden
	}
	t, err := s.TicketByNumber(r.Context(), n)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errHidden
	}
	if err != nil {
		return nil, err
	}
	if err := canSee(r, s, t); err != nil {
		return nil, err
	}
	return t, nil
}

// failOr404 answers errHidden and store.ErrNotFound with 404, and anything
// else as a failure.
func (p *pages) failOr404(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errHidden) || errors.Is(err, store.ErrNotFound) {
		p.notFound(w, r)
		return
	}
	p.fail(w, r, err)
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errHidden
	}
	return id, nil
}

// pathID is the route's {name} as a positive number; false when it is not one.
func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}
