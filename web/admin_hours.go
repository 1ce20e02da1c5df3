package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/dargo-support/dargo/internal/bizhours"
	"github.com/dargo-support/dargo/store"
)

// SLAStore is what the business hours and SLA policy pages need.
type SLAStore interface {
	Schedules(ctx context.Context) ([]store.Schedule, error)
	ScheduleByID(ctx context.Context, id int64) (*store.Schedule, error)
	SaveSchedule(ctx context.Context, actorID int64, s store.Schedule) (int64, error)
	Holidays(ctx context.Context, scheduleID int64) ([]store.Holiday, error)
	AddHoliday(ctx context.Context, actorID int64, h store.Holiday) error
	RemoveHoliday(ctx context.Context, actorID, scheduleID, holidayID int64) error
	SLAPolicies(ctx context.Context) ([]store.SLAPolicy, error)
	SaveSLAPolicy(ctx context.Context, actorID int64, p store.SLAPolicy) (int64, error)
	DeleteSLAPolicy(ctx context.Context, actorID, id int64) error
}

var _ SLAStore = (*store.DB)(nil)

// adminHours serves /admin/hours: business hours schedules, their weekly
// hours, zone and holidays.
type adminHours struct {
	store SLAStore // nil when o.Store keeps none
	pages *pages
	zone  string // the desk's zone, counted around the clock without a schedule
}

func newAdminHours(o Opts, p *pages) *adminHours {
	s, _ := o.Store.(SLAStore)
	zone := "UTC"
	if db, ok := o.Store.(*store.DB); ok && db.Zone != nil {
		zone = db.Zone.String()
	}
	return &adminHours{store: s, pages: p, zone: zone}
}

// scheduleForm is a schedule as the form has it.
type scheduleForm struct {
	ID        int64
	Name      string
	Zone      string
	Default   bool
	Days      []dayField
	Holidays  []store.Holiday
	HolDay    string // the holiday form as typed
	HolName   string
	Error     string
	HolError  string
	ErrorAt   string // the field the error is about, for aria-invalid
	Notice    string
	DeskZone  string
	Schedules []store.Schedule
}

// dayField is one weekday's hours as typed.
type dayField struct{ Key, Label, Hours string }

var dayLabels = map[string]string{"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
	"fri": "Friday", "sat": "Saturday", "sun": "Sunday"}

func daysOf(week string) []dayField {
	w, _ := bizhours.ParseWeek(week)
	var out []dayField
	for _, k := range bizhours.DayKeys() {
		out = append(out, dayField{Key: k, Label: dayLabels[k], Hours: bizhours.DayString(w.Day(k))})
	}
	return out
}

func (h *adminHours) list(w http.ResponseWriter, r *http.Request) {
	f := scheduleForm{Zone: h.zone, Days: daysOf("mon 09:00-17:00\ntue 09:00-17:00\nwed 09:00-17:00\nthu 09:00-17:00\nfri 09:00-17:00")}
	switch r.URL.Query().Get("notice") {
	case "saved":
		f.Notice = "Schedule saved."
	}
	h.render(w, r, http.StatusOK, f)
}

func (h *adminHours) edit(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	s, ok := h.schedule(w, r)
	if !ok {
		return
	}
	f := scheduleForm{ID: s.ID, Name: s.Name, Zone: s.Zone, Default: s.IsDefault, Days: daysOf(s.Week)}
	switch r.URL.Query().Get("notice") {
	case "saved":
		f.Notice = "Schedule saved: SLA dues count in these hours from each ticket's next change."
	case "holiday-added":
		f.Notice = "Holiday added."
	case "holiday-removed":
		f.Notice = "Holiday removed."
	}
	h.render(w, r, http.StatusOK, f)
}

func (h *adminHours) schedule(w http.ResponseWriter, r *http.Request) (*store.Schedule, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.pages.notFound(w, r)
		return nil, false
	}
	s, err := h.store.ScheduleByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		h.pages.notFound(w, r)
		return nil, false
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return nil, false
	}
	return s, true
}

func (h *adminHours) render(w http.ResponseWriter, r *http.Request, status int, f scheduleForm) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	var err error
	if f.Schedules, err = h.store.Schedules(r.Context()); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if f.ID != 0 && f.Holidays == nil {
		if f.Holidays, err = h.store.Holidays(r.Context(), f.ID); err != nil {
			h.pages.fail(w, r, err)
			return
		}
	}
	f.DeskZone = h.zone
	noStore(w)
	title := "Business hours"
	if f.ID != 0 {
		title = "Business hours: " + f.Name
	}
	h.pages.render(w, r, status, "admin_hours.html", title, f)
}

// save creates a schedule (POST /admin/hours) or updates one (POST /admin/hours/{id}).
func (h *adminHours) save(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	f := scheduleForm{Name: r.PostFormValue("name"), Zone: strings.TrimSpace(r.PostFormValue("zone")), Default: r.PostFormValue("default") == "1"}
	if id := r.PathValue("id"); id != "" {
		s, ok := h.schedule(w, r)
		if !ok {
			return
		}
		f.ID = s.ID
	}
	var week bizhours.Week
	for _, k := range bizhours.DayKeys() {
		typed := r.PostFormValue(k)
		f.Days = append(f.Days, dayField{Key: k, Label: dayLabels[k], Hours: typed})
		if err := week.SetDay(k, typed); err != nil && f.Error == "" {
			f.Error, f.ErrorAt = "Not saved: "+dayLabels[k]+"'s hours are not like 09:00-12:00, 13:00-17:00 (24:00 ends a day).", k
		}
	}
	if f.Error != "" {
		h.render(w, r, http.StatusBadRequest, f)
		return
	}
	id, err := h.store.SaveSchedule(r.Context(), viewerFrom(r.Context()).User.ID,
		store.Schedule{ID: f.ID, Name: f.Name, Zone: f.Zone, Week: week.String(), IsDefault: f.Default})
	if errors.Is(err, store.ErrInvalidSLA) {
		f.Error = "Not saved: " + slaReason(err)
		switch {
		case strings.Contains(err.Error(), "time zone"):
			f.ErrorAt = "zone"
		case strings.Contains(err.Error(), "name"):
			f.ErrorAt = "name"
		}
		h.render(w, r, http.StatusBadRequest, f)
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/hours/"+strconv.FormatInt(id, 10)+"?notice=saved", http.StatusSeeOther)
}

// addHoliday closes the schedule on a date.
func (h *adminHours) addHoliday(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	s, ok := h.schedule(w, r)
	if !ok {
		return
	}
	hol := store.Holiday{ScheduleID: s.ID, Day: r.PostFormValue("day"), Name: r.PostFormValue("holiday_name")}
	err := h.store.AddHoliday(r.Context(), viewerFrom(r.Context()).User.ID, hol)
	if errors.Is(err, store.ErrInvalidSLA) {
		f := scheduleForm{ID: s.ID, Name: s.Name, Zone: s.Zone, Default: s.IsDefault, Days: daysOf(s.Week),
			HolDay: hol.Day, HolName: hol.Name, HolError: "Holiday not added: " + slaReason(err)}
		h.render(w, r, http.StatusBadRequest, f)
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/hours/"+strconv.FormatInt(s.ID, 10)+"?notice=holiday-added#holidays", http.StatusSeeOther)
}

// removeHoliday opens the schedule again on a holiday's date.
func (h *adminHours) removeHoliday(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	s, ok := h.schedule(w, r)
	if !ok {
		return
	}
	hid, _ := strconv.ParseInt(r.PathValue("holiday"), 10, 64)
	err := h.store.RemoveHoliday(r.Context(), viewerFrom(r.Context()).User.ID, s.ID, hid)
	if errors.Is(err, store.ErrNotFound) {
		h.pages.notFound(w, r)
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/hours/"+strconv.FormatInt(s.ID, 10)+"?notice=holiday-removed#holidays", http.StatusSeeOther)
}

// slaReason is a refusal's text without the store's prefix.
func slaReason(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, store.ErrInvalidSLA.Error()+": "); i >= 0 {
		msg = msg[i+len(store.ErrInvalidSLA.Error())+2:]
	}
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return strings.TrimSuffix(msg, ".") + "."
}
