package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dargo-support/dargo/store"
)

//go:embed templates/*.html
var templateFS embed.FS

// baseTemplates are parsed once, at start: a broken template fails the
// boot. They are never executed: pages.templatesFor clones them with time
// functions bound to the viewer (times.go); the ones here only let them
// parse.
var baseTemplates = template.Must(template.New("").Funcs(template.FuncMap{
	"asset":        assetPath,
	"inc":          func(i int) int { return i + 1 },
	"forwardsView": forwardsView,
	"itoa":         itoa,
	"deref":        func(p *int64) int64 { return *p },
	"derefTime":    func(p *time.Time) time.Time { return *p },
	"derefTicket":  func(t *store.Ticket) store.Ticket { return *t },
	"hasPrefix":    strings.HasPrefix,
	"has":          slices.Contains[[]string],
	"size":         byteSize,
	"byCustomer": func(m store.ThreadMessage, t *store.Ticket) bool {
		return m.AuthorID != nil && t != nil && *m.AuthorID == t.CustomerID
	},
	"ccReason":       func(reason string) string { return ccReasons[reason] },
	"add":            func(a, b int) int { return a + b },
	"customerStatus": customerStatus,
}).Funcs((&pages{}).timeFuncs(time.UTC)).ParseFS(templateFS, "templates/*.html"))

// templates are baseTemplates saying times in UTC on the real clock, for
// code without a request; with one, use pages.templatesFor(r).
var templates = template.Must(baseTemplates.Clone())

// pages renders templates inside the layout.
type pages struct {
	log     *slog.Logger
	siteKey string
	// banners are the policy changes a signed-in person has yet to
	// dismiss (policy_banner.go); nil shows none.
	banners bannerSource
	labels  labels // customer-facing words for codes
	// zones are staff members' time zones (times.go); nil: everyone sees
	// UTC.
	zones ZoneStore
	now   func() time.Time // relative times' clock; nil: time.Now
	times timeSets
}

// page is what every template gets: the layout's needs and the page's data.
type page struct {
	Title   string
	Viewer  *viewer
	SiteKey string // Turnstile widget, on public forms
	Data    any
	Policy  policyBanners // the layout's banners of significant policy changes
	Labels  labels        // customer-facing words: {{$.Labels.Category .Category}}
	// Lang is the language of the customer-facing words (portal_i18n.go):
	// {{$.T "id"}}; staff pages are English.
	Lang string
}

// render writes the template with data; the page is built in memory first so
// a template error never sends half a page.
func (p *pages) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	var buf bytes.Buffer
	v := viewerFrom(r.Context())
	err := p.templatesFor(r).ExecuteTemplate(&buf, name, page{Title: title, Viewer: v, SiteKey: p.siteKey, Data: data, Policy: p.policyBanners(r, v), Labels: p.labels, Lang: pageLang(r, v)})
	if err != nil {
		p.log.ErrorContext(r.Context(), "render", "template", name, "err", err)
		http.Error(w, "Something went wrong; see the log.", http.StatusInternalServerError)
		return
	}
	renderedPage(r, status)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// message is a page that says one thing.
func (p *pages) message(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	p.render(w, r, status, "message.html", title, text)
}

// fail logs err once and shows a generic error page. A request its client
// gave up on (closed the tab, clicked on) fails with context.Canceled: that
// is no fault of ours, so it is logged at INFO, not ERROR.
func (p *pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		p.log.InfoContext(r.Context(), "request cancelled by the client", "path", r.URL.Path)
		w.WriteHeader(statusClientClosed)
		return
	}
	p.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
	p.message(w, r, http.StatusInternalServerError, "Something went wrong",
		"Dargo could not finish this request. Try again in a minute.")
}

// statusClientClosed is nginx's status for a request whose client went
// away; nobody reads it but the access log and metrics.
const statusClientClosed = 499

func (p *pages) notFound(w http.ResponseWriter, r *http.Request) {
	p.message(w, r, http.StatusNotFound, "Not found", "There is no page at this address.")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// cursorParam reads the "after" page cursor; nil for the first page.
func cursorParam(r *http.Request) (*store.Cursor, error) {
	s := r.URL.Query().Get("after")
	if s == "" {
		return nil, nil
	}
	return store.ParseCursor(s)
}

// byteSize is a file size for people: 512 B, 12 KB, 3.4 MB.
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1000*1000:
		return strconv.FormatInt((n+500)/1000, 10) + " KB"
	default:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
	}
}

// privacyDue is the due-date note of a privacy request: "due 2026-12-28",
// or "overdue since …" once it is past and the ticket is still open or
// pending; "" for other tickets.
func privacyDue(t store.Ticket, now time.Time) string {
	if t.Category != PrivacyCategory {
		return ""
	}
	due := t.CreatedAt.Add(PrivacyDue)
	if now.After(due) && (t.Status == store.StatusOpen || t.Status == store.StatusPending) {
		return "overdue since " + due.UTC().Format("2006-01-02")
	}
	return "due " + due.UTC().Format("2006-01-02")
}

// waitingFor is how long a customer has waited, in the largest unit that
// fits: "12 min", "3 h", "2 d" ("1 min" at least).
func waitingFor(d time.Duration) string {
	switch {
	case d < time.Hour:
		return strconv.Itoa(max(int(d/time.Minute), 1)) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	default:
		return strconv.Itoa(int(d/(24*time.Hour))) + " d"
	}
}
