package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dargo-support/dargo/internal/bizhours"
	"github.com/dargo-support/dargo/store"
)

// adminSLA serves /admin/sla: first-response and resolution targets per
// priority, and optionally per category, each counted in a schedule.
type adminSLA struct {
	store      SLAStore // nil when o.Store keeps none
	pages      *pages
	categories []string
	zone       string
}

func newAdminSLA(o Opts, p *pages) *adminSLA {
	h := newAdminHours(o, p)
	return &adminSLA{store: h.store, pages: p, categories: o.Categories, zone: h.zone}
}

// policyRow is a policy as the list shows it.
type policyRow struct {
	store.SLAPolicy
	FirstResponseText, ResolutionText, ScheduleName string
}

// slaForm is a policy as the form has it.
type slaForm struct {
	ID                        int64
	Priority, Category        string
	FirstResponse, Resolution string
	Schedule                  string // id, "" for the default
	Error, ErrorAt, Notice    string
	Policies                  []policyRow
	Schedules                 []store.Schedule
	Priorities, Categories    []string
	DeskZone                  string
}

func (h *adminSLA) list(w http.ResponseWriter, r *http.Request) {
	f := slaForm{Priority: store.PriorityNormal}
	if id, err := strconv.ParseInt(r.URL.Query().Get("edit"), 10, 64); err == nil && h.store != nil {
		policies, err := h.store.SLAPolicies(r.Context())
		if err != nil {
			h.pages.fail(w, r, err)
			return
		}
		if i := slices.IndexFunc(policies, func(p store.SLAPolicy) bool { return p.ID == id }); i >= 0 {
			p := policies[i]
			f = slaForm{ID: p.ID, Priority: p.Priority, Category: p.Category, FirstResponse: bizhours.FormatTarget(p.FirstResponseTarget()),
				Resolution: bizhours.FormatTarget(p.ResolutionTarget())}
			if p.ScheduleID != nil {
				f.Schedule = strconv.FormatInt(*p.ScheduleID, 10)
			}
		}
	}
	f.Notice = map[string]string{"saved": "Policy saved: tickets of its priority and category take it at their next change.",
		"deleted": "Policy deleted: its tickets lose their SLA at their next change."}[r.URL.Query().Get("notice")]
	h.render(w, r, http.StatusOK, f)
}

func (h *adminSLA) render(w http.ResponseWriter, r *http.Request, status int, f slaForm) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	policies, err := h.store.SLAPolicies(r.Context())
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	if f.Schedules, err = h.store.Schedules(r.Context()); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	for _, p := range policies {
		row := policyRow{SLAPolicy: p, FirstResponseText: orNone(bizhours.FormatTarget(p.FirstResponseTarget())),
			ResolutionText: orNone(bizhours.FormatTarget(p.ResolutionTarget())), ScheduleName: h.scheduleName(f.Schedules, p.ScheduleID)}
		f.Policies = append(f.Policies, row)
	}
	f.Priorities, f.Categories, f.DeskZone = store.Priorities, h.categories, h.zone
	noStore(w)
	h.pages.render(w, r, status, "admin_sla.html", "SLA policies", f)
}

func (h *adminSLA) scheduleName(all []store.Schedule, id *int64) string {
	for _, s := range all {
		if id != nil && s.ID == *id || id == nil && s.IsDefault {
			if id == nil {
				return "default (" + s.Name + ")"
			}
			return s.Name
		}
	}
	return "around the clock (" + h.zone + ")"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// save creates (POST /admin/sla) or updates (POST /admin/sla/{id}) a policy.
func (h *adminSLA) save(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	f := slaForm{Priority: r.PostFormValue("priority"), Category: r.PostFormValue("category"),
		FirstResponse: r.PostFormValue("first_response"), Resolution: r.PostFormValue("resolution"), Schedule: r.PostFormValue("schedule")}
	p := store.SLAPolicy{Priority: f.Priority, Category: f.Category}
	if id := r.PathValue("id"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			h.pages.notFound(w, r)
			return
		}
		f.ID, p.ID = n, n
	}
	first, err1 := bizhours.ParseTarget(f.FirstResponse)
	res, err2 := bizhours.ParseTarget(f.Resolution)
	switch {
	case err1 != nil:
		f.Error, f.ErrorAt = "Not saved: the first-response target is not like 4 h, 2 d or 30 min.", "first_response"
	case err2 != nil:
		f.Error, f.ErrorAt = "Not saved: the resolution target is not like 4 h, 2 d or 30 min.", "resolution"
	case f.Category != "" && !slices.Contains(h.categories, f.Category):
		f.Error, f.ErrorAt = "Not saved: pick a category from the list.", "category"
	}
	if f.Schedule != "" {
		id, err := strconv.ParseInt(f.Schedule, 10, 64)
		if err != nil && f.Error == "" {
			f.Error, f.ErrorAt = "Not saved: pick a schedule from the list.", "schedule"
		}
		p.ScheduleID = &id
	}
	if f.Error != "" {
		h.render(w, r, http.StatusBadRequest, f)
		return
	}
	p.FirstResponse, p.Resolution = int64(first/time.Second), int64(res/time.Second)
	_, err := h.store.SaveSLAPolicy(r.Context(), viewerFrom(r.Context()).User.ID, p)
	if errors.Is(err, store.ErrInvalidSLA) {
		f.Error = "Not saved: " + slaReason(err)
		if strings.Contains(err.Error(), "target") {
			f.ErrorAt = "first_response"
		}
		h.render(w, r, http.StatusBadRequest, f)
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		h.pages.notFound(w, r)
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/sla?notice=saved", http.StatusSeeOther)
}

// remove deletes a policy.
func (h *adminSLA) remove(w http.ResponseWriter, r *http.Request) {
	if h.store == nil {
		h.pages.notFound(w, r)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	err := h.store.DeleteSLAPolicy(r.Context(), viewerFrom(r.Context()).User.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		h.pages.notFound(w, r)
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/sla?notice=deleted", http.StatusSeeOther)
}
