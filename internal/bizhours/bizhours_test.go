package bizhours

import (
	"testing"
	"time"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// officeWeek is Mon–Fri 09:00–17:00.
func officeWeek(t testing.TB) Week {
	t.Helper()
	w, err := ParseWeek("mon 09:00-17:00\ntue 09:00-17:00\nwed 09:00-17:00\nthu 09:00-17:00\nfri 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func office(t testing.TB, zone string, holidays ...string) *Schedule {
	t.Helper()
	var days []Date
	for _, h := range holidays {
		d, err := ParseDate(h)
		if err != nil {
			t.Fatal(err)
		}
		days = append(days, d)
	}
	s, err := New(mustLoad(t, zone), officeWeek(t), days)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func at(t testing.TB, zone, wall string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", wall, mustLoad(t, zone))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAdd(t *testing.T) {
	const ber, ny = "Europe/Berlin", "America/New_York"
	tests := []struct {
		name  string
		s     *Schedule
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"within a day", office(t, ber), at(t, ber, "2026-12-07 10:00"), 4 * time.Hour, at(t, ber, "2026-12-07 14:00")},
		{"before opening", office(t, ber), at(t, ber, "2026-12-07 06:00"), time.Hour, at(t, ber, "2026-12-07 10:00")},
		{"over the night", office(t, ber), at(t, ber, "2026-12-07 16:00"), 2 * time.Hour, at(t, ber, "2026-12-08 10:00")},
		{"across a weekend", office(t, ber), at(t, ber, "2026-12-11 15:00"), 4 * time.Hour, at(t, ber, "2026-12-14 11:00")},
		{"sent on a Saturday", office(t, ber), at(t, ber, "2026-12-12 11:00"), 30 * time.Minute, at(t, ber, "2026-12-14 09:30")},
		{"across a holiday", office(t, ber, "2026-12-25"), at(t, ber, "2026-12-24 16:00"), 2 * time.Hour, at(t, ber, "2026-12-28 10:00")},
		{"ends at closing", office(t, ber), at(t, ber, "2026-12-07 09:00"), 8 * time.Hour, at(t, ber, "2026-12-07 17:00")},
		{"DST spring Berlin", office(t, ber), at(t, ber, "2026-03-27 13:00"), 8 * time.Hour, at(t, ber, "2026-03-30 13:00")},
		{"DST autumn Berlin", office(t, ber), at(t, ber, "2026-10-23 13:00"), 8 * time.Hour, at(t, ber, "2026-10-26 13:00")},
		{"DST spring New York", office(t, ny), at(t, ny, "2026-03-06 13:00"), 8 * time.Hour, at(t, ny, "2026-03-09 13:00")},
		{"DST autumn New York", office(t, ny), at(t, ny, "2026-10-30 13:00"), 8 * time.Hour, at(t, ny, "2026-11-02 13:00")},
		{"24/7 over spring DST", Always(mustLoad(t, ber)), at(t, ber, "2026-03-29 00:00"), 24 * time.Hour, at(t, ber, "2026-03-30 01:00")},
		{"zero", office(t, ber), at(t, ber, "2026-12-12 11:00"), 0, at(t, ber, "2026-12-12 11:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.Add(tt.start, tt.d)
			if !got.Equal(tt.want) {
				t.Fatalf("Add(%v, %v) = %v, want %v", tt.start, tt.d, got.In(tt.s.loc), tt.want)
			}
			if b := tt.s.Between(tt.start, got); b != tt.d {
				t.Fatalf("Between(start, Add) = %v, want %v", b, tt.d)
			}
		})
	}
}

// TestDSTDay: a Sunday-open schedule on the DST Sundays counts 8 h for
// 09:00–17:00, the day's real length for 00:00–24:00, and nothing for a
// span inside the skipped hour.
func TestDSTDay(t *testing.T) {
	const ber = "Europe/Berlin"
	loc := mustLoad(t, ber)
	for _, tt := range []struct {
		week, day string
		want      time.Duration
	}{
		{"sun 09:00-17:00", "2026-03-29", 8 * time.Hour},
		{"sun 09:00-17:00", "2026-10-25", 8 * time.Hour},
		{"sun 00:00-24:00", "2026-03-29", 23 * time.Hour},
		{"sun 00:00-24:00", "2026-10-25", 25 * time.Hour},
		{"sun 02:00-03:00", "2026-03-29", 0},
		{"sun 02:15-02:45, 09:00-10:00", "2026-03-29", time.Hour},
	} {
		w, err := ParseWeek(tt.week)
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(loc, w, nil)
		if err != nil {
			t.Fatal(err)
		}
		from := at(t, ber, tt.day+" 00:00")
		if got := s.Between(from, from.Add(48*time.Hour)); got != tt.want {
			t.Errorf("%s on %s: %v, want %v", tt.week, tt.day, got, tt.want)
		}
	}
}

// TestZoneChange: the same instants count differently once the schedule's
// zone changes, as dues are computed from events each time.
func TestZoneChange(t *testing.T) {
	start := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC) // Monday: 09:00 Berlin, 03:00 New York
	ber, ny := office(t, "Europe/Berlin"), office(t, "America/New_York")
	if got, want := ber.Add(start, 4*time.Hour), time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Berlin: %v, want %v", got, want)
	}
	if got, want := ny.Add(start, 4*time.Hour), time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("New York: %v, want %v", got, want)
	}
}

func TestParse(t *testing.T) {
	for in, want := range map[string]time.Duration{"4 h": 4 * time.Hour, "2 d": 16 * time.Hour, "30 min": 30 * time.Minute,
		"1 d 4 h": 12 * time.Hour, "90m": 90 * time.Minute, "2 days": 16 * time.Hour, "": 0} {
		got, err := ParseTarget(in)
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %v, %v; want %v", in, got, err, want)
		}
		if in != "" {
			if back, _ := ParseTarget(FormatTarget(got)); back != got {
				t.Errorf("FormatTarget(%v) = %q does not read back", got, FormatTarget(got))
			}
		}
	}
	for _, bad := range []string{"soon", "4", "-2 h", "3 weeks", "0 h"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) took it", bad)
		}
	}
	for _, bad := range []string{"mon 9-17", "mon 17:00-09:00", "moon 09:00-17:00", "mon 09:00-25:00"} {
		if _, err := ParseWeek(bad); err == nil {
			t.Errorf("ParseWeek(%q) took it", bad)
		}
	}
	w, err := ParseWeek("tue 13:00-17:00,09:00-12:00\nmon 00:00-24:00")
	if err != nil {
		t.Fatal(err)
	}
	if got := w.String(); got != "mon 00:00-24:00\ntue 09:00-12:00,13:00-17:00" {
		t.Errorf("String = %q", got)
	}
	if _, err := New(time.UTC, Week{}, nil); err == nil {
		t.Error("New took a week with no open hours")
	}
}

// FuzzBetweenAdd: Between(a, Add(a, d)) == d for any start and duration,
// on schedules with weekends, holidays, split days and DST zones.
func FuzzBetweenAdd(f *testing.F) {
	f.Add(int64(1774569600), int64(3600), uint8(0))
	f.Add(int64(1792540800), int64(8*3600), uint8(1))
	f.Add(int64(1798675200), int64(40*3600), uint8(2))
	week, _ := ParseWeek("mon 09:00-12:00,13:00-17:00\ntue 00:00-24:00\nwed 02:00-03:00,08:00-20:00\nthu 09:00-17:00\nfri 09:00-17:00\nsun 01:30-02:30")
	xmas := []Date{{2026, 12, 24}, {2026, 12, 25}, {2026, 12, 31}}
	var scheds []*Schedule
	for _, zone := range []string{"Europe/Berlin", "America/New_York", "UTC"} {
		s, err := New(mustLoad(f, zone), week, xmas)
		if err != nil {
			f.Fatal(err)
		}
		scheds = append(scheds, s, office(f, zone))
	}
	f.Fuzz(func(t *testing.T, sec, dur int64, which uint8) {
		s := scheds[int(which)%len(scheds)]
		start := time.Unix(1767225600+sec%(2*366*86400), 0) // 2026 and 2027
		d := time.Duration(dur%(200*3600)) * time.Second
		if d < 0 {
			d = -d
		}
		end := s.Add(start, d)
		if got := s.Between(start, end); got != d {
			t.Fatalf("Between(%v, Add(%v)) = %v, want %v", start, d, got, d)
		}
		if end.Before(start) {
			t.Fatalf("Add went back in time: %v < %v", end, start)
		}
	})
}
