package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dargo-support/dargo/store"
)

// ReportStore computes the reports at /admin/reports.
type ReportStore interface {
	Report(ctx context.Context, q store.ReportQuery) (*store.Report, error)
	// ReportZone is the desk's zone, whose days reports count.
	ReportZone() *time.Location
	// ReportNow is the store's clock, which "the last 30 days" count back from.
	ReportNow() time.Time
}

var _ ReportStore = (*store.DB)(nil)

// reportDays is the default range: the last 30 days, today included.
const reportDays = 30

// adminReports serves /admin/reports and its CSV, to admins only: the
// breakdown by staff member compares people, which is a manager's view.
type adminReports struct {
	store ReportStore
	pages *pages

	mu    sync.Mutex
	cache map[store.ReportQuery]cachedReport
}

// reportCacheFor is how long a computed report is served again: the page
// and its CSV downloads, opened one after the other, compute it once (on
// a big desk a year's report takes seconds; see BenchmarkReport).
const reportCacheFor = time.Minute

type cachedReport struct {
	report *store.Report
	at     time.Time
}

// report computes the report, or takes it from the cache when it is fresh.
func (h *adminReports) report(ctx context.Context, q store.ReportQuery) (*store.Report, error) {
	now := h.store.ReportNow()
	h.mu.Lock()
	c, ok := h.cache[q]
	h.mu.Unlock()
	if ok && now.Sub(c.at) < reportCacheFor && !now.Before(c.at) {
		return c.report, nil
	}
	rep, err := h.store.Report(ctx, q)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cache == nil || len(h.cache) > 20 {
		h.cache = map[store.ReportQuery]cachedReport{}
	}
	h.cache[q] = cachedReport{report: rep, at: now}
	return rep, nil
}

// reportsPage is what admin_reports.html shows.
type reportsPage struct {
	From, To string // as typed, so an error keeps them
	Error    string
	Report   *store.Report
	Days     reportChart
	Groups   []reportGroup
	Total    reportLine
}

// reportGroup is one breakdown: its rows and a bar chart of them.
type reportGroup struct {
	ID, Title, By string
	Lines         []reportLine
	Chart         reportBars
}

// reportLine is a report row in words.
type reportLine struct {
	store.ReportRow
	FRMedian, FRP90, ResMedian, ResP90 string
	FRSLA, ResSLA, Good                string
}

func newReportLine(r store.ReportRow) reportLine {
	l := reportLine{ReportRow: r,
		FRMedian: reportDuration(r.FirstResponse, r.FirstResponse.Median), FRP90: reportDuration(r.FirstResponse, r.FirstResponse.P90),
		ResMedian: reportDuration(r.Resolution, r.Resolution.Median), ResP90: reportDuration(r.Resolution, r.Resolution.P90)}
	l.FRSLA = reportPercent(r.FirstResponseSLA.Percent())
	l.ResSLA = reportPercent(r.ResolutionSLA.Percent())
	l.Good = reportPercent(r.Ratings.GoodPercent())
	return l
}

// reportPercent writes a share as "87%", or "–" when nothing counted.
func reportPercent(p float64, ok bool) string {
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// reportDuration writes a time taken to the minute ("3 d 4 h", "2 h 5 min",
// "12 min"), or "–" when nothing counted.
func reportDuration(d store.Durations, v time.Duration) string {
	if d.Count == 0 {
		return "–"
	}
	m := int(v.Round(time.Minute) / time.Minute)
	switch {
	case m >= 24*60:
		return fmt.Sprintf("%d d %d h", m/(24*60), m%(24*60)/60)
	case m >= 60:
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
	return fmt.Sprintf("%d min", m)
}

// reportRange reads from and to (YYYY-MM-DD, in the desk's zone) from the
// query, the last 30 days when both are missing; the error says what is
// wrong in words for the page.
func (h *adminReports) reportRange(r *http.Request) (from, to string, q store.ReportQuery, err error) {
	zone := h.store.ReportZone()
	from, to = strings.TrimSpace(r.URL.Query().Get("from")), strings.TrimSpace(r.URL.Query().Get("to"))
	today := h.store.ReportNow().In(zone)
	if to == "" {
		to = today.Format(time.DateOnly)
	}
	last, err := time.ParseInLocation(time.DateOnly, to, zone)
	if err != nil {
		return from, to, q, fmt.Errorf("The end date %q is not a date: write it as YYYY-MM-DD, e.g. %s.", to, today.Format(time.DateOnly))
	}
	if from == "" {
		from = last.AddDate(0, 0, 1-reportDays).Format(time.DateOnly)
	}
	first, err := time.ParseInLocation(time.DateOnly, from, zone)
	if err != nil {
		return from, to, q, fmt.Errorf("The start date %q is not a date: write it as YYYY-MM-DD, e.g. %s.", from, today.AddDate(0, 0, 1-reportDays).Format(time.DateOnly))
	}
	switch {
	case last.Before(first):
		return from, to, q, errors.New("The range ends before it starts: pick an end date on or after the start date.")
	case last.Sub(first) >= store.MaxReportDays*24*time.Hour:
		return from, to, q, fmt.Errorf("The range is longer than %d days: pick a shorter one.", store.MaxReportDays)
	}
	return from, to, store.ReportQuery{From: first, To: last}, nil
}

// show renders the report for the range asked for.
func (h *adminReports) show(w http.ResponseWriter, r *http.Request) {
	from, to, q, err := h.reportRange(r)
	data := reportsPage{From: from, To: to}
	if err != nil {
		data.Error = err.Error()
		h.pages.render(w, r, http.StatusBadRequest, "admin_reports.html", "Reports", data)
		return
	}
	rep, err := h.report(r.Context(), q)
	if errors.Is(err, store.ErrReportRange) {
		data.Error = "This date range cannot be reported on: pick a shorter one."
		h.pages.render(w, r, http.StatusBadRequest, "admin_reports.html", "Reports", data)
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	data.Report, data.Total = rep, newReportLine(rep.Total)
	data.Days = dayBars(rep)
	for _, g := range []struct {
		id, title, by string
		rows          []store.ReportRow
	}{
		{"by-category", "By category", "category", rep.ByCategory},
		{"by-channel", "By channel", "channel", rep.ByChannel},
		{"by-staff", "By staff member", "staff", rep.ByStaff},
	} {
		group := reportGroup{ID: g.id, Title: g.title, By: g.by, Chart: groupBars(g.id, g.title, g.rows)}
		for _, row := range g.rows {
			group.Lines = append(group.Lines, newReportLine(row))
		}
		data.Groups = append(data.Groups, group)
	}
	h.pages.render(w, r, http.StatusOK, "admin_reports.html", "Reports", data)
}
