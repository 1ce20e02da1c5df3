package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/dargo-support/dargo/store"
)

// reportCSVBy are the CSV downloads: ?by=day (the default), category,
// channel, staff or comments.
var reportCSVBy = []string{"day", "category", "channel", "staff", "comments"}

// csv serves /admin/reports.csv?from=…&to=…&by=…: one table of the report
// with a header row. Cells are safe to open in a spreadsheet: one that
// starts with = + - @ (or a tab or carriage return) is prefixed with ' so it
// is not read as a formula.
func (h *adminReports) csv(w http.ResponseWriter, r *http.Request) {
	from, to, q, err := h.reportRange(r)
	by := r.URL.Query().Get("by")
	if by == "" {
		by = "day"
	}
	known := false
	for _, b := range reportCSVBy {
		known = known || b == by
	}
	if err == nil && !known {
		err = fmt.Errorf("There is no CSV by %q: pick day, category, channel, staff or comments.", by)
	}
	if err != nil {
		h.pages.message(w, r, http.StatusBadRequest, "Reports", err.Error())
		return
	}
	rep, err := h.report(r.Context(), q)
	if errors.Is(err, store.ErrReportRange) {
		h.pages.message(w, r, http.StatusBadRequest, "Reports", "This date range cannot be reported on: pick a shorter one.")
		return
	}
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	noStore(w)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="dargo-report-%s-%s-by-%s.csv"`, from, to, by))
	out := csv.NewWriter(w)
	for _, rec := range reportRecords(rep, by) {
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		out.Write(rec)
	}
	out.Flush()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

func reportRecords(rep *store.Report, by string) [][]string {
	itoa := strconv.Itoa
	switch by {
	case "day":
		out := [][]string{{"day", "opened", "resolved"}}
		for _, d := range rep.Days {
			out = append(out, []string{reportDay(d.Day), itoa(d.Opened), itoa(d.Resolved)})
		}
		return out
	case "comments":
		out := [][]string{{"ticket", "rating", "comment", "rated_at"}}
		for _, c := range rep.Comments {
			out = append(out, []string{strconv.FormatInt(c.TicketNumber, 10), c.Rating, c.Comment, c.At.UTC().Format(time.RFC3339)})
		}
		return out
	}
	rows := map[string][]store.ReportRow{"category": rep.ByCategory, "channel": rep.ByChannel, "staff": rep.ByStaff}[by]
	mins := func(d store.Durations, v time.Duration) string {
		if d.Count == 0 {
			return ""
		}
		return strconv.FormatInt(int64(v.Round(time.Minute)/time.Minute), 10)
	}
	out := [][]string{{by, "opened", "resolved",
		"first_responses", "first_response_median_minutes", "first_response_p90_minutes",
		"resolutions", "resolution_median_minutes", "resolution_p90_minutes",
		"first_response_sla_met", "first_response_sla_missed", "resolution_sla_met", "resolution_sla_missed",
		"rated_good", "rated_okay", "rated_bad"}}
	for _, r := range append(rows, rep.Total) {
		out = append(out, []string{r.Label, itoa(r.Opened), itoa(r.Resolved),
			itoa(r.FirstResponse.Count), mins(r.FirstResponse, r.FirstResponse.Median), mins(r.FirstResponse, r.FirstResponse.P90),
			itoa(r.Resolution.Count), mins(r.Resolution, r.Resolution.Median), mins(r.Resolution, r.Resolution.P90),
			itoa(r.FirstResponseSLA.Met), itoa(r.FirstResponseSLA.Missed), itoa(r.ResolutionSLA.Met), itoa(r.ResolutionSLA.Missed),
			itoa(r.Ratings.Good), itoa(r.Ratings.Okay), itoa(r.Ratings.Bad)})
	}
	return out
}
