package web

import (
	"fmt"
	"time"

	"github.com/dargo-support/dargo/store"
)

// The reports' charts are inline SVG drawn here, no script: a viewBox the
// browser scales to the page's width (390 px phones included), a title and
// a description for screen readers, a <title> on every bar for hover, and
// the same numbers in a table beside each chart.

// reportChart is the opened/resolved bar chart, one slot a day.
type reportChart struct {
	Title, Desc string
	W, H        int
	Max         int
	AxisY       int
	Bars        []reportBar
	FirstDay    string
	LastDay     string
}

// reportBar is one rectangle, its coordinates already written out.
type reportBar struct {
	X, Y, W, H string
	Class      string // opened or resolved, styled by app.css
	Title      string
}

// reportBars is a horizontal bar chart of a breakdown: a row per group.
type reportBars struct {
	ID          string
	Title, Desc string
	W, H        int
	Rows        []reportBarRow
}

type reportBarRow struct {
	Label            string
	LabelY           string
	Opened, Resolved reportBar
	OpenedN          int
	ResolvedN        int
	OpenedX          string // where the numbers are written
	ResolvedX        string
	OpenedY          string
	ResolvedY        string
}

func coord(f float64) string { return fmt.Sprintf("%.2f", f) }

const (
	dayChartW, dayChartH = 320, 120
	barChartW, barRowH   = 320, 24
	barLabelW            = 110
	maxChartRows         = 12
)

func dayBars(r *store.Report) reportChart {
	c := reportChart{W: dayChartW, H: dayChartH, AxisY: dayChartH - 14, Title: "Tickets opened and resolved per day"}
	if len(r.Days) > 0 {
		c.FirstDay = r.Days[0].Day.Format("2 Jan 2006")
		c.LastDay = r.Days[len(r.Days)-1].Day.Format("2 Jan 2006")
	}
	for _, d := range r.Days {
		c.Max = max(c.Max, d.Opened, d.Resolved)
	}
	c.Desc = fmt.Sprintf("%d opened and %d resolved from %s to %s; the busiest day had %d. The numbers for each day are in the table below the chart.",
		r.Total.Opened, r.Total.Resolved, c.FirstDay, c.LastDay, c.Max)
	if c.Max == 0 || len(r.Days) == 0 {
		return c
	}
	plotH := float64(dayChartH - 14) // room for the axis labels below
	slot := float64(dayChartW) / float64(len(r.Days))
	bar := slot * 0.4
	for i, d := range r.Days {
		x := float64(i) * slot
		day := d.Day.Format("Mon 2 Jan")
		for j, v := range []struct {
			n     int
			class string
			what  string
		}{{d.Opened, "opened", "opened"}, {d.Resolved, "resolved", "resolved"}} {
			if v.n == 0 {
				continue
			}
			h := plotH * float64(v.n) / float64(c.Max)
			c.Bars = append(c.Bars, reportBar{X: coord(x + slot*0.1 + float64(j)*bar), Y: coord(plotH - h), W: coord(bar), H: coord(h),
				Class: v.class, Title: fmt.Sprintf("%s: %d %s", day, v.n, v.what)})
		}
	}
	return c
}

func groupBars(id, title string, rows []store.ReportRow) reportBars {
	c := reportBars{ID: id + "-chart", W: barChartW, Title: title + ": tickets opened and resolved"}
	if len(rows) > maxChartRows {
		rows = rows[:maxChartRows]
	}
	most := 0
	for _, r := range rows {
		most = max(most, r.Opened, r.Resolved)
	}
	c.H = len(rows)*barRowH + 2
	c.Desc = fmt.Sprintf("One row per group, busiest first (at most %d); the longest bar is %d tickets. All numbers are in the table below.", maxChartRows, most)
	if most == 0 {
		return c
	}
	plotW := float64(barChartW - barLabelW - 30) // room for the numbers
	for i, r := range rows {
		y := float64(i * barRowH)
		label := []rune(r.Label)
		if len(label) > 18 {
			label = append(label[:17], '…')
		}
		row := reportBarRow{Label: string(label), LabelY: coord(y + 15), OpenedN: r.Opened, ResolvedN: r.Resolved}
		ow, rw := plotW*float64(r.Opened)/float64(most), plotW*float64(r.Resolved)/float64(most)
		row.Opened = reportBar{X: coord(barLabelW), Y: coord(y + 3), W: coord(ow), H: "8", Class: "opened",
			Title: fmt.Sprintf("%s: %d opened", r.Label, r.Opened)}
		row.Resolved = reportBar{X: coord(barLabelW), Y: coord(y + 12), W: coord(rw), H: "8", Class: "resolved",
			Title: fmt.Sprintf("%s: %d resolved", r.Label, r.Resolved)}
		row.OpenedX, row.OpenedY = coord(barLabelW+ow+3), coord(y+10)
		row.ResolvedX, row.ResolvedY = coord(barLabelW+rw+3), coord(y+19)
		c.Rows = append(c.Rows, row)
	}
	return c
}

// reportDay writes a report day for tables and the CSV.
func reportDay(t time.Time) string { return t.Format(time.DateOnly) }
