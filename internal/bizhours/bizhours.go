// Package bizhours counts business time: the hours a support desk is open,
// by a weekly timetable and holidays in one time zone. It is pure: nothing
// here reads a clock or a database.
//
// Business time is real elapsed time inside open spans. A span is read as
// wall-clock times on its civil date, so a 09:00–17:00 day is 8 h on a
// DST day too; a span inside a skipped hour is empty, and a 00:00–24:00
// span on a DST day is 23 h or 25 h long, as the day is.
package bizhours

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Span is an open span of a day, in minutes after midnight: 0 ≤ Start < End ≤ 1440.
type Span struct{ Start, End int }

// Week is the open spans of each weekday, indexed by time.Weekday.
type Week [7][]Span

// Date is a civil date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads "2026-12-25".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("bizhours: date %q: want YYYY-MM-DD", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

func (d Date) next() Date {
	t := time.Date(d.Year, d.Month, d.Day+1, 12, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}

func (d Date) weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

func dateOf(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

// Schedule is business hours: a weekly timetable and holidays (closed
// all day), both in Location.
type Schedule struct {
	loc      *time.Location
	week     Week
	holidays map[Date]bool
	always   bool
}

// New makes a schedule. Spans of a day are sorted and overlapping ones
// joined; a week without any open span is an error.
func New(loc *time.Location, week Week, holidays []Date) (*Schedule, error) {
	if loc == nil {
		return nil, errors.New("bizhours: no time zone")
	}
	s := &Schedule{loc: loc, holidays: map[Date]bool{}}
	open := false
	for day, spans := range week {
		for _, sp := range spans {
			if sp.Start < 0 || sp.End > 24*60 || sp.Start >= sp.End {
				return nil, fmt.Errorf("bizhours: %s: span %s is not within a day", time.Weekday(day), sp)
			}
		}
		s.week[day] = joinSpans(spans)
		open = open || len(spans) > 0
	}
	if !open {
		return nil, errors.New("bizhours: the week has no open hours")
	}
	for _, h := range holidays {
		s.holidays[h] = true
	}
	return s, nil
}

// Always is a schedule open around the clock in loc.
func Always(loc *time.Location) *Schedule {
	s := &Schedule{loc: loc, always: true}
	for d := range s.week {
		s.week[d] = []Span{{0, 24 * 60}}
	}
	return s
}

func joinSpans(spans []Span) []Span {
	out := slices.Clone(spans)
	slices.SortFunc(out, func(a, b Span) int { return a.Start - b.Start })
	var joined []Span
	for _, sp := range out {
		if n := len(joined); n > 0 && sp.Start <= joined[n-1].End {
			joined[n-1].End = max(joined[n-1].End, sp.End)
			continue
		}
		joined = append(joined, sp)
	}
	return joined
}

// Location is the schedule's time zone.
func (s *Schedule) Location() *time.Location { return s.loc }

// intervals are the open instants of a civil date, in order.
func (s *Schedule) intervals(d Date, fn func(from, to time.Time) bool) bool {
	if s.holidays[d] {
		return true
	}
	for _, sp := range s.week[d.weekday()] {
		from, to := s.wall(d, sp.Start), s.wall(d, sp.End)
		if !to.After(from) { // inside a skipped hour
			continue
		}
		if !fn(from, to) {
			return false
		}
	}
	return true
}

// wall is the instant of a wall-clock time (minutes after midnight, 1440
// being the next midnight) on a civil date. A time the clocks skip is the
// instant they jump: a span inside the skipped hour is empty.
func (s *Schedule) wall(d Date, minutes int) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, 0, minutes, 0, 0, s.loc)
	if t.Hour()*60+t.Minute() != minutes%(24*60) {
		start, _ := t.ZoneBounds()
		return start
	}
	return t
}

// maxDays bounds a walk over the calendar: enough for any target a desk
// sets, and an end for schedules made all holidays.
const maxDays = 20 * 366

// Add returns the instant when d business time has passed since start.
// Add(start, 0) is start.
func (s *Schedule) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	if s.always {
		return start.Add(d)
	}
	var due time.Time
	day := dateOf(start.In(s.loc).AddDate(0, 0, -1))
	for i := 0; i < maxDays && due.IsZero(); i++ {
		s.intervals(day, func(from, to time.Time) bool {
			if from.Before(start) {
				from = start
			}
			if !to.After(from) {
				return true
			}
			if open := to.Sub(from); d > open {
				d -= open
				return true
			}
			due = from.Add(d)
			return false
		})
		day = day.next()
	}
	if due.IsZero() {
		return start.Add(time.Duration(maxDays) * 24 * time.Hour)
	}
	return due
}

// Between returns the business time in [a, b); 0 when b is not after a.
func (s *Schedule) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if s.always {
		return b.Sub(a)
	}
	var sum time.Duration
	last := dateOf(b.In(s.loc).AddDate(0, 0, 1))
	for day := dateOf(a.In(s.loc).AddDate(0, 0, -1)); day != last; day = day.next() {
		s.intervals(day, func(from, to time.Time) bool {
			if from.Before(a) {
				from = a
			}
			if to.After(b) {
				to = b
			}
			if to.After(from) {
				sum += to.Sub(from)
			}
			return true
		})
	}
	return sum
}

// String is "09:00-17:00".
func (sp Span) String() string { return clock(sp.Start) + "-" + clock(sp.End) }

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// dayNames are how a Week is written, Monday first.
var dayNames = []struct {
	name string
	day  time.Weekday
}{{"mon", time.Monday}, {"tue", time.Tuesday}, {"wed", time.Wednesday}, {"thu", time.Thursday},
	{"fri", time.Friday}, {"sat", time.Saturday}, {"sun", time.Sunday}}

// DayKeys are the weekdays as Week.String writes them, Monday first.
func DayKeys() []string {
	out := make([]string, len(dayNames))
	for i, d := range dayNames {
		out[i] = d.name
	}
	return out
}

// Day returns the spans of the weekday a DayKeys name stands for.
func (w Week) Day(key string) []Span {
	for _, d := range dayNames {
		if d.name == key {
			return w[d.day]
		}
	}
	return nil
}

// DayString is a day's spans as "09:00-12:00, 13:00-17:00".
func DayString(spans []Span) string {
	parts := make([]string, len(spans))
	for i, sp := range spans {
		parts[i] = sp.String()
	}
	return strings.Join(parts, ", ")
}

// String writes the week one open day a line: "mon 09:00-17:00".
func (w Week) String() string {
	var lines []string
	for _, d := range dayNames {
		if spans := w[d.day]; len(spans) > 0 {
			lines = append(lines, d.name+" "+strings.ReplaceAll(DayString(spans), " ", ""))
		}
	}
	return strings.Join(lines, "\n")
}

// ParseWeek reads what Week.String writes.
func ParseWeek(s string) (Week, error) {
	var w Week
	for _, line := range strings.Split(s, "\n") {
		key, spans, _ := strings.Cut(strings.TrimSpace(line), " ")
		if key == "" {
			continue
		}
		if err := w.SetDay(key, spans); err != nil {
			return Week{}, err
		}
	}
	return w, nil
}

// SetDay sets a weekday (a DayKeys name) to spans written
// "09:00-12:00, 13:00-17:00"; "" is closed.
func (w *Week) SetDay(key, spans string) error {
	i := slices.IndexFunc(dayNames, func(d struct {
		name string
		day  time.Weekday
	}) bool {
		return d.name == key
	})
	if i < 0 {
		return fmt.Errorf("bizhours: unknown day %q", key)
	}
	var out []Span
	for _, part := range strings.Split(spans, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		from, to, ok := strings.Cut(part, "-")
		a, err1 := minutes(from)
		b, err2 := minutes(to)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("bizhours: %s: %q is not like 09:00-17:00", key, part)
		}
		if a >= b {
			return fmt.Errorf("bizhours: %s: %q ends before it starts", key, part)
		}
		out = append(out, Span{a, b})
	}
	w[dayNames[i].day] = joinSpans(out)
	return nil
}

// minutes reads "09:30" (or "24:00") as minutes after midnight.
func minutes(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || hh == 24 && mm != 0 {
		return 0, fmt.Errorf("bizhours: bad time %q", s)
	}
	return hh*60 + mm, nil
}

// ParseTarget reads a target in business time: "4 h", "2 d", "30 min",
// "1 d 4 h", or a Go duration ("90m"); "" is no target (0). A "d" is
// DayLength of business time.
func ParseTarget(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return 0, nil
	}
	if d, err := time.ParseDuration(strings.ReplaceAll(s, " ", "")); err == nil && d > 0 {
		return d, nil
	}
	f := strings.Fields(strings.NewReplacer("d", " d ", "h", " h ", "min", " min ", "m", " min ").Replace(
		strings.NewReplacer("mins", "min", "hours", "h", "hour", "h", "days", "d", "day", "d").Replace(s)))
	if len(f) == 0 || len(f)%2 != 0 {
		return 0, fmt.Errorf("bizhours: target %q: want a number and a unit, like 4 h, 2 d or 30 min", s)
	}
	var total time.Duration
	for i := 0; i < len(f); i += 2 {
		n, err := strconv.Atoi(f[i])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bizhours: target %q: want a number and a unit, like 4 h, 2 d or 30 min", s)
		}
		unit := map[string]time.Duration{"d": DayLength, "h": time.Hour, "min": time.Minute}[f[i+1]]
		if unit == 0 {
			return 0, fmt.Errorf("bizhours: target %q: units are d, h and min", s)
		}
		total += time.Duration(n) * unit
	}
	if total <= 0 {
		return 0, fmt.Errorf("bizhours: target %q is not more than zero", s)
	}
	return total, nil
}

// DayLength is what a target's "d" counts: one business day of 8 hours.
const DayLength = 8 * time.Hour

// FormatTarget writes a target the way ParseTarget reads it: "2 d 4 h".
func FormatTarget(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	var parts []string
	if n := d / DayLength; n > 0 {
		parts, d = append(parts, fmt.Sprintf("%d d", n)), d%DayLength
	}
	if n := d / time.Hour; n > 0 {
		parts, d = append(parts, fmt.Sprintf("%d h", n)), d%time.Hour
	}
	if n := d / time.Minute; n > 0 {
		parts = append(parts, fmt.Sprintf("%d min", n))
	}
	return strings.Join(parts, " ")
}
