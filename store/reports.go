package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// MaxReportDays is the longest date range a report covers.
const MaxReportDays = 366

// ErrReportRange is a date range a report cannot cover.
var ErrReportRange = errors.New("store: report range")

// The channels a report tells apart: how a ticket came in.
const (
	ReportMail   = "mail"
	ReportPortal = "portal"
	ReportStaff  = "staff-started"
)

// ReportQuery is the date range of a report: From's first moment to the end
// of To's day, both days in the desk's zone (DB.Zone); only the dates count.
type ReportQuery struct {
	From, To time.Time
}

// Report is what happened on the desk in a date range, computed from
// recorded events (tickets' creation, staff replies, status changes, SLA
// verdicts, ratings) so merges and reopenings do not skew it:
//   - a ticket counts as opened on the day it was created; merged tickets
//     (merged_into set) and spam count nowhere;
//   - a ticket counts as resolved on the day of its last resolution (a
//     status change into resolved or closed that no later change undid), once
//     however often it was reopened; its resolution time runs from creation
//     to that last resolution, and whoever made that change resolved it;
//   - its first response is the first public staff reply (notes and
//     automatic mail do not count, nor replies merged in from older tickets),
//     counted on the day it was sent; staff-started tickets have none;
//   - an SLA target counts on the day its verdict fell: when it was met, or
//     its due when missed; targets still running count nowhere;
//   - a rating counts on the day it was last given or changed.
type Report struct {
	From, To time.Time // the first and last day, midnight in the desk's zone
	Days     []ReportDay
	Total    ReportRow
	// The breakdowns. By staff, first responses (and their SLA) count for
	// whoever sent the first response; everything else for whoever resolved.
	ByCategory, ByChannel, ByStaff []ReportRow
	Comments                       []RatingComment // the latest, newest first
}

// ReportDay is one day's opened and resolved tickets.
type ReportDay struct {
	Day      time.Time
	Opened   int
	Resolved int
}

// ReportRow is a report's numbers for all tickets or one group of them.
type ReportRow struct {
	Key, Label       string
	Opened, Resolved int
	FirstResponse    Durations
	Resolution       Durations
	FirstResponseSLA Attainment
	ResolutionSLA    Attainment
	Ratings          RatingCounts

	frt, rt []time.Duration
}

// Durations are a set of times taken: how many, their median and 90th
// percentile (nearest rank: the value at rank ⌈p·n⌉ in ascending order).
type Durations struct {
	Count       int
	Median, P90 time.Duration
}

// Attainment counts SLA targets met and missed.
type Attainment struct{ Met, Missed int }

// Percent is the share of targets met, and false when none counted.
func (a Attainment) Percent() (float64, bool) {
	if a.Met+a.Missed == 0 {
		return 0, false
	}
	return 100 * float64(a.Met) / float64(a.Met+a.Missed), true
}

// RatingCounts counts satisfaction ratings.
type RatingCounts struct{ Good, Okay, Bad int }

// Rated is how many ratings there are.
func (r RatingCounts) Rated() int { return r.Good + r.Okay + r.Bad }

// GoodPercent is the share of ratings that are good, and false when none.
func (r RatingCounts) GoodPercent() (float64, bool) {
	if r.Rated() == 0 {
		return 0, false
	}
	return 100 * float64(r.Good) / float64(r.Rated()), true
}

// RatingComment is a rating with a comment.
type RatingComment struct {
	TicketNumber int64     `db:"number"`
	Rating       string    `db:"rating"`
	Comment      string    `db:"comment"`
	At           time.Time `db:"updated_at"`
}

// reportTicket is one ticket with something in the range, and its events.
type reportTicket struct {
	ID              int64      `db:"id"`
	CreatedAt       time.Time  `db:"created_at"`
	Category        string     `db:"category"`
	Channel         string     `db:"channel"`
	Source          *string    `db:"source"`
	FirstResponseAt *time.Time `db:"first_response_at"`
	Responder       *int64     `db:"responder"`
	ResolvedAt      *time.Time `db:"resolved_at"`
	Resolver        *int64     `db:"resolver"`
	FirstDue        *time.Time `db:"sla_first_due"`
	FirstAt         *time.Time `db:"sla_first_at"`
	ResolutionDue   *time.Time `db:"sla_resolution_due"`
	ResolutionAt    *time.Time `db:"sla_resolved_at"`
}

// channel is how the ticket came in: started by staff, else its first
// message's source, as recorded at creation or, when not, read now.
func (t reportTicket) channel() string {
	switch {
	case t.Channel == ChannelStaff:
		return ReportStaff
	case t.Channel == ChannelPortal:
		return ReportPortal
	case t.Channel == ChannelMail:
		return ReportMail
	case t.Source != nil && *t.Source == SourceWeb:
		return ReportPortal
	default:
		return ReportMail
	}
}

// Report computes the report for the range; see Report's comment for what
// each number counts.
func (db *DB) Report(ctx context.Context, q ReportQuery) (*Report, error) {
	zone := db.location("")
	from := time.Date(q.From.Year(), q.From.Month(), q.From.Day(), 0, 0, 0, 0, zone)
	last := time.Date(q.To.Year(), q.To.Month(), q.To.Day(), 0, 0, 0, 0, zone)
	if last.Before(from) {
		return nil, fmt.Errorf("%w: it ends before it starts", ErrReportRange)
	}
	end := last.AddDate(0, 0, 1)
	if days := dayIndex(from, end); days > MaxReportDays {
		return nil, fmt.Errorf("%w: %d days, at most %d", ErrReportRange, days, MaxReportDays)
	}
	ratings, err := db.reportRatings(ctx, from.UTC(), end.UTC())
	if err != nil {
		return nil, err
	}
	r := &Report{From: from, To: last}
	for d := from; d.Before(end); d = d.AddDate(0, 0, 1) {
		r.Days = append(r.Days, ReportDay{Day: d})
	}
	b := reportBuilder{r: r, from: from, end: end, now: db.Now(), groups: map[string]map[string]*ReportRow{
		"category": {}, "channel": {}, "staff": {}}}
	// The tickets are added as they are read, and only the rated ones kept
	// (a range can hold every ticket).
	rated := map[int64]*reportTicket{}
	for _, rt := range ratings {
		rated[rt.TicketID] = nil
	}
	err = db.reportTickets(ctx, from.UTC(), end.UTC(), func(t reportTicket) {
		b.add(t)
		if _, ok := rated[t.ID]; ok {
			rated[t.ID] = &t
		}
	})
	if err != nil {
		return nil, err
	}
	for _, rt := range ratings {
		t := rated[rt.TicketID]
		if t == nil {
			continue // merged or spam
		}
		b.rate(*t, rt.Rating)
		if rt.Comment != "" && len(r.Comments) < 20 {
			r.Comments = append(r.Comments, RatingComment{TicketNumber: rt.Number, Rating: rt.Rating, Comment: rt.Comment, At: rt.UpdatedAt})
		}
	}
	if err := db.finishReport(ctx, &b); err != nil {
		return nil, err
	}
	return r, nil
}

// reportBuilder adds tickets' events to a report and its breakdowns.
type reportBuilder struct {
	r         *Report
	from, end time.Time
	now       time.Time
	groups    map[string]map[string]*ReportRow // breakdown → key → row
	buf       []*ReportRow                     // rows' result
}

func (b *reportBuilder) in(at *time.Time) bool {
	return at != nil && !at.Before(b.from) && at.Before(b.end)
}

// rows are the report's rows a ticket's event counts in: the total, its
// category, its channel, and the staff member (0: none) the event is
// credited to.
func (b *reportBuilder) rows(t reportTicket, staff *int64) []*ReportRow {
	row := func(group, key string) *ReportRow {
		g := b.groups[group]
		if g[key] == nil {
			g[key] = &ReportRow{Key: key}
		}
		return g[key]
	}
	// One slice, reused: every caller ranges over it before the next call.
	b.buf = append(b.buf[:0], &b.r.Total, row("category", t.Category), row("channel", t.channel()))
	if staff != nil {
		b.buf = append(b.buf, row("staff", strconv.FormatInt(*staff, 10)))
	}
	return b.buf
}

var noStaff = new(int64) // events no staff member is credited with

func orNoStaff(id *int64) *int64 {
	if id == nil {
		return noStaff
	}
	return id
}

func (b *reportBuilder) add(t reportTicket) {
	if b.in(&t.CreatedAt) {
		b.r.Days[dayIndex(b.from, t.CreatedAt)].Opened++
		for _, row := range b.rows(t, nil) {
			row.Opened++
		}
	}
	if t.channel() != ReportStaff && b.in(t.FirstResponseAt) {
		for _, row := range b.rows(t, orNoStaff(t.Responder)) {
			row.frt = append(row.frt, t.FirstResponseAt.Sub(t.CreatedAt))
		}
	}
	if b.in(t.ResolvedAt) {
		b.r.Days[dayIndex(b.from, *t.ResolvedAt)].Resolved++
		for _, row := range b.rows(t, orNoStaff(t.Resolver)) {
			row.Resolved++
			row.rt = append(row.rt, t.ResolvedAt.Sub(t.CreatedAt))
		}
	}
	// A ticket staff started was answered by its opening: its first
	// response counts nowhere, its SLA verdict neither.
	if met, at, ok := verdict(t.FirstDue, t.FirstAt, b.now); ok && b.in(&at) && t.Channel != ChannelStaff {
		for _, row := range b.rows(t, orNoStaff(t.Responder)) {
			row.FirstResponseSLA.count(met)
		}
	}
	if met, at, ok := verdict(t.ResolutionDue, t.ResolutionAt, b.now); ok && b.in(&at) {
		for _, row := range b.rows(t, orNoStaff(t.Resolver)) {
			row.ResolutionSLA.count(met)
		}
	}
}

func (a *Attainment) count(met bool) {
	if met {
		a.Met++
	} else {
		a.Missed++
	}
}

// verdict is an SLA target's verdict and when it fell: met when done at or
// before the due, missed at the due otherwise; ok is false while it runs.
func verdict(due, done *time.Time, now time.Time) (met bool, at time.Time, ok bool) {
	switch {
	case due == nil:
		return false, time.Time{}, false
	case done != nil && !done.After(*due):
		return true, *done, true
	case done != nil || !due.After(now):
		return false, *due, true
	}
	return false, time.Time{}, false
}

func (b *reportBuilder) rate(t reportTicket, rating string) {
	for _, row := range b.rows(t, orNoStaff(t.Resolver)) {
		switch rating {
		case "good":
			row.Ratings.Good++
		case "okay":
			row.Ratings.Okay++
		case "bad":
			row.Ratings.Bad++
		}
	}
}

// finishReport computes the medians and percentiles, labels the rows and
// sorts the breakdowns, busiest first.
func (db *DB) finishReport(ctx context.Context, b *reportBuilder) error {
	var ids []int64
	for key := range b.groups["staff"] {
		var id int64
		fmt.Sscan(key, &id)
		if id != 0 {
			ids = append(ids, id)
		}
	}
	names, err := db.reportNames(ctx, ids)
	if err != nil {
		return err
	}
	label := map[string]func(string) string{
		"category": func(k string) string { return k },
		"channel": func(k string) string {
			return map[string]string{ReportMail: "Mail", ReportPortal: "Portal", ReportStaff: "Staff-started"}[k]
		},
		"staff": func(k string) string {
			if k == "0" {
				return "No one (automatic or no reply)"
			}
			if names[k] == "" {
				return "User " + k // since erased
			}
			return names[k]
		},
	}
	b.r.Total.finish()
	b.r.Total.Label = "All tickets"
	for _, group := range []string{"category", "channel", "staff"} {
		var rows []ReportRow
		for key, row := range b.groups[group] {
			row.finish()
			row.Label = label[group](key)
			rows = append(rows, *row)
		}
		slices.SortFunc(rows, func(x, y ReportRow) int {
			return cmp.Or(cmp.Compare(y.Opened+y.Resolved+y.FirstResponse.Count, x.Opened+x.Resolved+x.FirstResponse.Count), cmp.Compare(x.Label, y.Label))
		})
		switch group {
		case "category":
			b.r.ByCategory = rows
		case "channel":
			b.r.ByChannel = rows
		case "staff":
			b.r.ByStaff = rows
		}
	}
	return nil
}

func (row *ReportRow) finish() {
	row.FirstResponse, row.Resolution = durations(row.frt), durations(row.rt)
	row.frt, row.rt = nil, nil
}

// durations sums up times taken: count, median and p90 by nearest rank.
func durations(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	slices.Sort(ds)
	rank := func(p int) time.Duration { // ⌈p·n/100⌉, 1-based
		return ds[(p*len(ds)+99)/100-1]
	}
	return Durations{Count: len(ds), Median: rank(50), P90: rank(90)}
}

// dayIndex is the number of the day at (in from's zone) counted from from's
// day; days are counted by the calendar, so DST days count once.
func dayIndex(from, at time.Time) int {
	at = at.In(from.Location())
	a := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
	f := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	return int(a.Sub(f).Hours() / 24)
}

// ReportZone is the desk's zone, whose days reports count.
func (db *DB) ReportZone() *time.Location { return db.location("") }

// ReportNow is the store's clock (DB.Now), which report ranges count back from.
func (db *DB) ReportNow() time.Time { return db.Now() }
