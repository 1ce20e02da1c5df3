package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dargo-support/dargo/store"
)

// Times on pages (issue 18): staff see them in their own time zone (chosen
// on /account, else the desk's, DARGO_TIME_ZONE) as "2 h ago" with the
// exact time on hover; customers and visitors get UTC from the server,
// which app.js rewrites into the browser's zone. Templates are executed
// per request with time functions bound to the viewer (timeFuncs), so no
// handler passes a zone along: {{when .CreatedAt}} is all a template says.

// ZoneStore is what staff time zones need from the database.
type ZoneStore interface {
	StaffLocation(ctx context.Context, userID int64) (*time.Location, error)
	SetStaffTimeZone(ctx context.Context, userID int64, zone string) (*time.Location, error)
	DeskLocation() *time.Location
}

var _ ZoneStore = (*store.DB)(nil)

// location is the time zone the request's viewer sees times in: a staff
// member's own, or the desk's (DARGO_TIME_ZONE) for staff who chose none
// and for everyone else. Handlers that read or write wall-clock times for
// staff ("tomorrow 9:00") use it. It is read once per request.
func (p *pages) location(r *http.Request) *time.Location {
	v := viewerFrom(r.Context())
	if v != nil && v.zone != nil {
		return v.zone
	}
	desk := time.UTC
	if p.zones != nil {
		desk = p.zones.DeskLocation()
	}
	if v == nil || p.zones == nil || !hasRole(v.User, store.RoleStaff) {
		return desk
	}
	loc, err := p.zones.StaffLocation(r.Context(), v.User.ID)
	if err != nil {
		p.log.WarnContext(r.Context(), "staff time zone", "err", err) // the desk's zone will do
		loc = desk
	}
	v.zone = loc
	return loc
}

// clock is the pages' now: Opts.Now, else time.Now.
func (p *pages) clock() time.Time {
	if p.now != nil {
		return p.now()
	}
	return time.Now()
}

// timeSets caches the template set per way of saying times: one per
// staff zone in use and one for browsers' own zones. html/template
// escapes each clone on its first use, so a set is cloned once per
// server and zone, not per request.
type timeSets struct {
	mu   sync.Mutex
	sets map[string]*template.Template
}

// templatesFor is the template set whose time functions speak to the
// request's viewer: staff in their zone, anyone else for app.js to say in
// the browser's.
func (p *pages) templatesFor(r *http.Request) *template.Template {
	var loc *time.Location // nil: the browser's zone
	if v := viewerFrom(r.Context()); v != nil && hasRole(v.User, store.RoleStaff) {
		loc = p.location(r)
	}
	key := "browser"
	if loc != nil {
		key = "staff:" + loc.String()
	}
	p.times.mu.Lock()
	defer p.times.mu.Unlock()
	if t, ok := p.times.sets[key]; ok {
		return t
	}
	t := template.Must(baseTemplates.Clone()).Funcs(p.timeFuncs(loc))
	if p.times.sets == nil {
		p.times.sets = map[string]*template.Template{}
	}
	p.times.sets[key] = t
	return t
}

// timeFuncs are the template functions that say times, for staff in loc,
// or for the browser's zone when loc is nil:
//
//	{{when t}}   <time> with "2 h ago" (older than a week: "7 Dec 2026"),
//	             the exact time in the title; customers: the UTC time,
//	             data-local for app.js
//	{{at t}}     <time> with the exact time, after "since" or "on"
//	{{ago t}}    "2 h ago" as text, for markup of your own
//	{{exact t}}  "Mon 7 Dec 2026, 14:05 CET" (customers: "7 Dec 2026, 13:05 UTC")
//	{{exactToSecond t}}  "2026-12-07 14:05:09 CET", for the mail log
//	{{waitingFor t}}, {{due ticket}}: the inbox's tags, on the same clock
func (p *pages) timeFuncs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"when": func(t time.Time) template.HTML {
			if loc == nil {
				return localTime(t)
			}
			return staffTime(t, p.clock(), loc)
		},
		"at": func(t time.Time) template.HTML {
			if loc == nil {
				return localTime(t)
			}
			return timeTag(t, "", exactTime(t, loc), false)
		},
		"ago": func(t time.Time) string { return relativeTime(p.clock(), t, loc) },
		"exact": func(t time.Time) string {
			if loc == nil {
				return utcTime(t)
			}
			return exactTime(t, loc)
		},
		"exactToSecond": func(t time.Time) string {
			if loc == nil {
				return t.UTC().Format(secondLayout)
			}
			return t.In(loc).Format(secondLayout)
		},
		"waitingFor": func(since time.Time) string { return waitingFor(p.clock().Sub(since)) },
		"due":        func(t store.Ticket) string { return privacyDue(t, p.clock()) },
	}
}

// Formats of times on pages.
const (
	exactLayout  = "Mon 2 Jan 2006, 15:04 MST" // a staff member's hover
	utcLayout    = "2 Jan 2006, 15:04 UTC"     // customers' text before app.js
	dateLayout   = "2 Jan 2006"                // older than a week
	isoLayout    = "2006-01-02T15:04:05Z"      // datetime attributes, in UTC
	secondLayout = "2006-01-02 15:04:05 MST"   // the mail log's hover
)

// exactTime is t to the minute in loc, with the zone's abbreviation: "Mon
// 7 Dec 2026, 14:05 CET". Zones without a letter abbreviation say their
// offset ("+0530"), as the tz database does.
func exactTime(t time.Time, loc *time.Location) string { return t.In(loc).Format(exactLayout) }

func utcTime(t time.Time) string { return t.UTC().Format(utcLayout) }

// relativeTime says t from now: "just now", "12 min ago", "3 h ago",
// "2 d ago", "in 3 h"; a week or more away, the date in loc ("7 Dec 2026").
func relativeTime(now, t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var n string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		n = strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 24*time.Hour:
		n = strconv.Itoa(int(d/time.Hour)) + " h"
	case d < 7*24*time.Hour:
		n = strconv.Itoa(int(d/(24*time.Hour))) + " d"
	default:
		return t.In(loc).Format(dateLayout)
	}
	if future {
		return "in " + n
	}
	return n + " ago"
}

// staffTime is t for a staff member: relative, exact on hover.
func staffTime(t time.Time, now time.Time, loc *time.Location) template.HTML {
	return timeTag(t, exactTime(t, loc), relativeTime(now, t, loc), false)
}

// localTime is t for app.js to say in the browser's zone; without
// JavaScript it reads in UTC.
func localTime(t time.Time) template.HTML { return timeTag(t, "", utcTime(t), true) }

// timeTag is <time datetime="…Z" title="title">text</time>, data-local for
// app.js when local; "—" for the zero time.
func timeTag(t time.Time, title, text string, local bool) template.HTML {
	if t.IsZero() {
		return "—"
	}
	var b strings.Builder
	b.WriteString(`<time datetime="` + t.UTC().Format(isoLayout) + `"`)
	if title != "" {
		b.WriteString(` title="` + template.HTMLEscapeString(title) + `"`)
	}
	if local {
		b.WriteString(` data-local`)
	}
	b.WriteString(">" + template.HTMLEscapeString(text) + "</time>")
	return template.HTML(b.String()) // #nosec G203 -- title and text are escaped above; the rest is ours
}
