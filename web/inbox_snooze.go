package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

// LifecycleStore is what snoozing and follow-up links need.
type LifecycleStore interface {
	Snooze(ctx context.Context, ticketID, actorID int64, until time.Time) error
	Unsnooze(ctx context.Context, ticketID, actorID int64) error
	StaffLocation(ctx context.Context, userID int64) (*time.Location, error)
	TicketLinks(ctx context.Context, t *store.Ticket) (*store.TicketLinks, error)
	Clock() time.Time
}

var _ LifecycleStore = (*store.DB)(nil)

// datetimeLocal is the layout of an <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

// snoozeView is the ticket page's snooze box: when a snoozed ticket wakes,
// the presets with the times they stand for, and the form as typed when
// it was refused.
type snoozeView struct {
	Can     bool   // the ticket is open or pending
	Until   string // when it wakes, in the viewer's zone; "" when not snoozed
	Zone    string // the viewer's zone's name
	Presets []snoozePreset
	Choice  string // the preset chosen, or "custom"
	Custom  string // the custom time as typed
	Min     string // the custom field's earliest value
	Error   string
}

type snoozePreset struct {
	Key, Label, When string
}

// snoozeWhen says a time as a staff member reads it: "Tue 8 Dec 09:00".
func snoozeWhen(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 15:04")
}

// loadSnooze fills the ticket page's snooze box and follow-up links.
func (h *inboxHandler) loadSnooze(ctx context.Context, r *http.Request, t *store.Ticket, data *staffTicketPage) error {
	loc, err := h.store.StaffLocation(ctx, viewerFrom(ctx).User.ID)
	if err != nil {
		return err
	}
	if data.Links, err = h.store.TicketLinks(ctx, t); err != nil {
		return err
	}
	now := h.now()
	s := &data.Snooze
	s.Can, s.Zone, s.Min = t.Status == store.StatusOpen || t.Status == store.StatusPending, loc.String(), now.In(loc).Format(datetimeLocal)
	if t.Snoozed(now) {
		s.Until = snoozeWhen(*t.SnoozedUntil, loc)
	}
	for _, p := range store.SnoozePresets(now, loc) {
		s.Presets = append(s.Presets, snoozePreset{Key: p.Key, Label: p.Label, When: snoozeWhen(p.Until, loc)})
	}
	if s.Choice == "" {
		s.Choice = "tomorrow"
	}
	if data.Notice == "" && data.Error == "" && s.Error == "" {
		switch r.URL.Query().Get("notice") {
		case "snoozed":
			if s.Until != "" {
				data.Notice = "Snoozed until " + s.Until + " (" + s.Zone + "): #" + itoa(t.Number) + " is out of the queues until then, or until the customer writes."
			}
		case "unsnoozed":
			data.Notice = "Unsnoozed: #" + itoa(t.Number) + " is back in the queues."
		}
	}
	return nil
}

// now is the store's clock (tests inject it).
func (h *inboxHandler) now() time.Time {
	return h.store.Clock()
}

// snooze snoozes the ticket until a preset or a custom time, in the
// viewer's time zone.
func (h *inboxHandler) snooze(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	ctx, v := r.Context(), viewerFrom(r.Context())
	loc, err := h.store.StaffLocation(ctx, v.User.ID)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	form := snoozeView{Choice: r.PostFormValue("snooze"), Custom: strings.TrimSpace(r.PostFormValue("until"))}
	refuse := func(why string) {
		h.renderTicket(w, r, http.StatusUnprocessableEntity, t, staffTicketPage{Snooze: snoozeView{Choice: form.Choice, Custom: form.Custom, Error: why}})
	}
	var until time.Time
	switch form.Choice {
	case "custom":
		if form.Custom == "" {
			refuse("Pick a date and time to snooze until.")
			return
		}
		if until, err = time.ParseInLocation(datetimeLocal, form.Custom, loc); err != nil {
			refuse("That is not a date and time (YYYY-MM-DDTHH:MM).")
			return
		}
	case "":
		refuse("Choose when the ticket comes back.")
		return
	default:
		var ok bool
		if until, ok = store.SnoozePreset(form.Choice, h.now(), loc); !ok {
			refuse("Choose when the ticket comes back from the list.")
			return
		}
	}
	err = h.store.Snooze(ctx, t.ID, v.User.ID, until)
	if errors.Is(err, store.ErrInvalidChange) {
		msg := "That snooze is not possible: "
		switch {
		case !until.After(h.now()):
			msg += "the time " + snoozeWhen(until, loc) + " has passed. Choose a time in the future."
		case t.Status != store.StatusOpen && t.Status != store.StatusPending:
			msg += "only open and pending tickets snooze."
		default:
			msg += "choose a time within a year."
		}
		refuse(msg)
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.backToTicket(w, r, t, "snoozed")
}

// unsnooze brings the ticket back into the queues now.
func (h *inboxHandler) unsnooze(w http.ResponseWriter, r *http.Request) {
	t, err := ticketFromPath(r, h.store)
	if err != nil {
		h.pages.failOr404(w, r, err)
		return
	}
	if err := h.store.Unsnooze(r.Context(), t.ID, viewerFrom(r.Context()).User.ID); err != nil {
		h.pages.fail(w, r, err)
		return
	}
	h.backToTicket(w, r, t, "unsnoozed")
}

// backToTicket goes back to the ticket page, keeping the list it was
// opened from, with a notice code.
func (h *inboxHandler) backToTicket(w http.ResponseWriter, r *http.Request, t *store.Ticket, code string) {
	to := ticketURL(t.Number, backParam(r))
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+"notice="+code, http.StatusSeeOther) // #nosec G710 -- our own ticket path (backParam checks the list); code is a constant
}

// portalLinks fills a customer's ticket page's follow-up links, naming only
// tickets they take part in, and the notice after their answer opened a
// follow-up.
func (h *portalHandler) portalLinks(r *http.Request, t *store.Ticket, data *ticketPage) error {
	ctx, viewer := r.Context(), viewerFrom(r.Context()).User.ID
	links, err := h.store.TicketLinks(ctx, t)
	if err != nil {
		return err
	}
	visible := func(o *store.Ticket) (bool, error) { return h.store.IsParticipantUser(ctx, o.ID, viewer) }
	if o := links.FollowUpOf; o != nil {
		ok, err := visible(o)
		if err != nil {
			return err
		}
		if ok {
			data.FollowUpOf = o
		}
	}
	for i := range links.ContinuedIn {
		ok, err := visible(&links.ContinuedIn[i])
		if err != nil {
			return err
		}
		if ok {
			data.ContinuedIn = append(data.ContinuedIn, links.ContinuedIn[i])
		}
	}
	if data.Notice == "" && r.URL.Query().Get("notice") == "followup" && data.FollowUpOf != nil {
		data.Notice = "Request #" + itoa(data.FollowUpOf.Number) + " was closed a while ago, so your message opened this new request. We will answer here."
	}
	return nil
}

// snoozedRows says on each snoozed row of a list when it comes back, in
// the viewer's zone (read only when a row is snoozed).
func (h *inboxHandler) snoozedRows(ctx context.Context, viewer int64, rows []store.InboxRow, out []inboxRow) error {
	now := h.now()
	var loc *time.Location
	for i, r := range rows {
		if !r.Snoozed(now) {
			continue
		}
		if loc == nil {
			var err error
			if loc, err = h.store.StaffLocation(ctx, viewer); err != nil {
				return err
			}
		}
		out[i].Wakes = snoozeWhen(*r.SnoozedUntil, loc)
	}
	return nil
}
