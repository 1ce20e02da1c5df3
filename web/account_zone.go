package web

import (
	"errors"
	"net/http"

	"github.com/dargo-support/dargo/internal/zones"
	"github.com/dargo-support/dargo/store"
)

// zoneForm is a staff member's "Time zone" form on /account.
type zoneForm struct {
	Current string // the saved zone, or what a refused form sent; "" is the desk's
	Desk    string // the desk's zone (DARGO_TIME_ZONE): "Europe/Berlin"
	Groups  []zones.Group
	Error   string
	Notice  string // what the last save did
}

// zoneFormFor is the viewer's time zone form; nil for customers, and when
// the store keeps no profiles or zones.
func (h *accountHandler) zoneFormFor(r *http.Request) (*zoneForm, error) {
	v := viewerFrom(r.Context())
	if h.profiles == nil || h.pages.zones == nil || !hasRole(v.User, store.RoleStaff) {
		return nil, nil
	}
	p, err := h.profiles.StaffProfile(r.Context(), v.User.ID)
	if err != nil {
		return nil, err
	}
	f := h.newZoneForm(p.TimeZone)
	if r.URL.Query().Get("notice") == "zone-saved" {
		shown := h.pages.location(r).String()
		f.Notice = "Saved. Times are now shown in " + shown + "."
		if p.TimeZone == "" {
			f.Notice = "Saved. Times are now shown in " + shown + ", the desk's default."
		}
	}
	return f, nil
}

func (h *accountHandler) newZoneForm(current string) *zoneForm {
	return &zoneForm{Current: current, Desk: h.pages.zones.DeskLocation().String(),
		Groups: zones.Groups(h.pages.clock(), current)}
}

// saveTimeZone saves the zone a staff member sees times in ("" = the
// desk's). An unknown zone comes back in the form with the reason; the
// other forms on the page keep what is saved.
func (h *accountHandler) saveTimeZone(w http.ResponseWriter, r *http.Request) {
	if h.profiles == nil || h.pages.zones == nil {
		h.pages.notFound(w, r)
		return
	}
	v := viewerFrom(r.Context())
	zone := r.PostFormValue("time_zone")
	_, err := h.pages.zones.SetStaffTimeZone(r.Context(), v.User.ID, zone)
	switch {
	case errors.Is(err, store.ErrUnknownZone):
		f := h.newZoneForm(zone)
		f.Error = "“" + zone + "” is not a time zone Dargo knows. Pick one from the list, such as Europe/Berlin; nothing was changed."
		h.showWith(w, r, http.StatusUnprocessableEntity, refusedForms{zone: f})
		return
	case errors.Is(err, store.ErrNotStaff):
		h.pages.message(w, r, http.StatusForbidden, "Not allowed", "Only staff choose a time zone here; customers see times in their browser's.")
		return
	case err != nil:
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?notice=zone-saved#time-zone", http.StatusSeeOther)
}
