package store

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// UsageReport is what /admin/usage shows: counts only, never a pseudonym.
type UsageReport struct {
	Days     []UsageDay   // oldest first; the last is today, so far
	Pages    []UsageCount // page views per route pattern, most first
	Features []UsageCount // uses per feature, most first
}

// UsageDay is one UTC day.
type UsageDay struct {
	Day             string `db:"day"` // YYYY-MM-DD
	ActiveUsers     int64  `db:"active_users"`
	ActiveCustomers int64  `db:"active_customers"`
	ActiveStaff     int64  `db:"active_staff"`
	TicketsByMail   int64  // tickets opened by mail
	TicketsInPortal int64  // tickets opened in the portal
}

// UsageCount is how often a page or feature was used over the report's days.
type UsageCount struct {
	Kind      string `db:"kind"`
	Name      string `db:"name"`
	Customers int64  `db:"customers"`
	Staff     int64  `db:"staff"`
}

// Total is the count for everyone.
func (c UsageCount) Total() int64 { return c.Customers + c.Staff }

// UsageReport adds up the last days days, today included: finished days
// from the daily counts, days the sweep has not added up yet (today, at
// least) from the raw events.
func (db *DB) UsageReport(ctx context.Context, days int) (*UsageReport, error) {
	if days < 1 {
		return nil, fmt.Errorf("store: usage report: want days ≥ 1, got %d", days)
	}
	today := startOfDay(db.Now())
	from := today.AddDate(0, 0, 1-days)
	var stored []UsageDay
	if err := db.X.SelectContext(ctx, &stored, db.q(`SELECT day, active_users, active_customers, active_staff FROM usage_days WHERE day >= ?`),
		usageDay(from)); err != nil {
		return nil, fmt.Errorf("store: usage report: %w", err)
	}
	byDay := map[string]UsageDay{}
	for _, d := range stored {
		byDay[d.Day] = d
	}
	counts := map[[2]string]*UsageCount{}
	add := func(rows []UsageCount) {
		for _, r := range rows {
			c := counts[[2]string{r.Kind, r.Name}]
			if c == nil {
				c = &UsageCount{Kind: r.Kind, Name: r.Name}
				counts[[2]string{r.Kind, r.Name}] = c
			}
			c.Customers += r.Customers
			c.Staff += r.Staff
		}
	}
	var rows []UsageCount
	if err := db.X.SelectContext(ctx, &rows, db.q(`SELECT kind, name, `+byAudience("count")+` FROM usage_daily
		WHERE day >= ? GROUP BY kind, name`), usageDay(from)); err != nil {
		return nil, fmt.Errorf("store: usage report: %w", err)
	}
	add(rows)
	out := &UsageReport{}
	tickets, err := db.ticketsByChannel(ctx, from)
	if err != nil {
		return nil, err
	}
	for day := from; !day.After(today); day = day.AddDate(0, 0, 1) {
		d, ok := byDay[usageDay(day)]
		if !ok {
			// Not added up yet: straight from the raw events.
			d.Day = usageDay(day)
			end := day.AddDate(0, 0, 1)
			if err := db.X.QueryRowxContext(ctx, db.q(`SELECT `+activeCounts+` FROM usage_events WHERE at >= ? AND at < ?`), day, end).
				Scan(&d.ActiveUsers, &d.ActiveCustomers, &d.ActiveStaff); err != nil {
				return nil, fmt.Errorf("store: usage report: %w", err)
			}
			rows = rows[:0]
			if err := db.X.SelectContext(ctx, &rows, db.q(`SELECT kind, name, `+byAudience("1")+` FROM usage_events
				WHERE at >= ? AND at < ? GROUP BY kind, name`), day, end); err != nil {
				return nil, fmt.Errorf("store: usage report: %w", err)
			}
			add(rows)
		}
		t := tickets[d.Day]
		d.TicketsByMail, d.TicketsInPortal = t[SourceEmail], t[SourceWeb]
		out.Days = append(out.Days, d)
	}
	for _, c := range counts {
		if c.Kind == UsagePage {
			out.Pages = append(out.Pages, *c)
		} else {
			out.Features = append(out.Features, *c)
		}
	}
	for _, list := range [][]UsageCount{out.Pages, out.Features} {
		sort.Slice(list, func(i, j int) bool {
			if list[i].Total() != list[j].Total() {
				return list[i].Total() > list[j].Total()
			}
			return list[i].Name < list[j].Name
		})
	}
	return out, nil
}

// byAudience sums n per row into customers and staff.
func byAudience(n string) string {
	return `COALESCE(SUM(CASE WHEN audience = 'customer' THEN ` + n + ` END), 0) AS customers,
		COALESCE(SUM(CASE WHEN audience = 'staff' THEN ` + n + ` END), 0) AS staff`
}

// ticketsByChannel counts the tickets opened each UTC day since from, by
// the source of their first message ('email' or 'web'), or 'staff' for
// tickets staff started.
func (db *DB) ticketsByChannel(ctx context.Context, from time.Time) (map[string]map[string]int64, error) {
	day := `strftime('%Y-%m-%d', t.created_at)` // SQLite reads the stored offset
	if db.Dialect == Postgres {
		day = `to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
	}
	var rows []struct {
		Day    string `db:"day"`
		Source string `db:"source"`
		N      int64  `db:"n"`
	}
	if err := db.X.SelectContext(ctx, &rows, db.q(`SELECT `+day+` AS day, CASE WHEN t.channel = '`+ChannelStaff+`' THEN t.channel ELSE m.source END AS source, COUNT(*) AS n FROM tickets t
		JOIN messages m ON m.id = (SELECT MIN(id) FROM messages WHERE ticket_id = t.id)
		WHERE t.created_at >= ? GROUP BY 1, 2`), from); err != nil {
		return nil, fmt.Errorf("store: tickets by channel: %w", err)
	}
	out := map[string]map[string]int64{}
	for _, r := range rows {
		if out[r.Day] == nil {
			out[r.Day] = map[string]int64{}
		}
		out[r.Day][r.Source] = r.N
	}
	return out, nil
}
