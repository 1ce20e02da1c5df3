package web

import (
	"net/http"
	"strconv"

	"github.com/dargo-support/dargo/store"
)

// usageDays is how many days /admin/usage shows, today included.
const usageDays = 30

// adminUsage serves /admin/usage: what people use, in counts only.
type adminUsage struct {
	store UsageStore
	pages *pages
}

// usagePage is the page's data: the report, and charts drawn from it.
type usagePage struct {
	Days     int
	Report   *store.UsageReport
	Active   chart
	Tickets  chart
	Pages    []usageRow
	Features []usageRow
	First    string // the first day shown
}

// usageRow is a page or feature with its share of the busiest one, for a
// bar beside the numbers.
type usageRow struct {
	store.UsageCount
	Width int // of 100
}

// chart is a bar chart drawn as inline SVG in a 300×100 box: one slot per
// day, bars stacked bottom up.
type chart struct {
	Label string
	From  string // the first day, at the left
	Max   int64
	Bars  []chartBar
}

type chartBar struct {
	X, Y, W, H int
	Class      string // the series, styled by app.css
	Title      string // shown on hover and read by screen readers
}

const chartW, chartH = 300, 100

// dayChart draws one slot per day with a bar per series, stacked.
func dayChart(label string, days []store.UsageDay, series []string, value func(d store.UsageDay, i int) int64) chart {
	c := chart{Label: label}
	for _, d := range days {
		var sum int64
		for i := range series {
			sum += value(d, i)
		}
		c.Max = max(c.Max, sum)
	}
	if len(days) == 0 {
		return c
	}
	c.From = days[0].Day
	slot := chartW / len(days)
	for n, d := range days {
		y := chartH
		for i, name := range series {
			v := value(d, i)
			if v == 0 || c.Max == 0 {
				continue
			}
			h := max(int(v*chartH/c.Max), 1)
			y -= h
			c.Bars = append(c.Bars, chartBar{X: n*slot + 1, Y: y, W: max(slot-2, 1), H: h, Class: name,
				Title: d.Day + ": " + strconv.FormatInt(v, 10) + " " + name})
		}
	}
	return c
}

func usageRows(counts []store.UsageCount) []usageRow {
	out := make([]usageRow, len(counts))
	var top int64
	for _, c := range counts {
		top = max(top, c.Total())
	}
	for i, c := range counts {
		out[i] = usageRow{UsageCount: c}
		if top > 0 {
			out[i].Width = max(int(c.Total()*100/top), 1)
		}
	}
	return out
}

func (h *adminUsage) show(w http.ResponseWriter, r *http.Request) {
	rep, err := h.store.UsageReport(r.Context(), usageDays)
	if err != nil {
		h.pages.fail(w, r, err)
		return
	}
	data := usagePage{Days: usageDays, Report: rep, Pages: usageRows(rep.Pages), Features: usageRows(rep.Features),
		Active: dayChart("Daily active users, customers and staff", rep.Days, []string{"customers", "staff"}, func(d store.UsageDay, i int) int64 {
			return []int64{d.ActiveCustomers, d.ActiveStaff}[i]
		}),
		Tickets: dayChart("Tickets opened per day, by mail and in the portal", rep.Days, []string{"mail", "portal"}, func(d store.UsageDay, i int) int64 {
			return []int64{d.TicketsByMail, d.TicketsInPortal}[i]
		}),
	}
	if len(rep.Days) > 0 {
		data.First = rep.Days[0].Day
	}
	h.pages.render(w, r, http.StatusOK, "admin_usage.html", "Usage", data)
}
