package web

import "net/http"

// adminHandler serves the pages only admins may open.
type adminHandler struct {
	store Store
	pages *pages
}

// staff lists the staff and admins (added with `dargo staff add`).
func (h *adminHandler) staff(w http.ResponseWriter, r *http.Request) {
	list, err := h.store.Staff(r.Context())
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.pages.render(w, r, http.StatusOK, "admin_staff.html", "Staff", list)
}
