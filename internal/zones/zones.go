// Package zones lists the IANA time zones people pick from and says them
// with their offset ("Europe/Berlin (UTC+01:00)"). The list is tzdata's
// zone.tab, embedded, so it is the same on every machine; the zones'
// rules come from the Go runtime (cmd/dargo embeds time/tzdata, so
// time.LoadLocation works on images without /usr/share/zoneinfo).
package zones

import (
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

//go:embed zones.txt
var zonesTxt string

// Names are the zones offered, sorted: "UTC" first, then zone.tab's
// canonical names ("Africa/Abidjan" … "Pacific/Wallis").
var Names = sync.OnceValue(func() []string {
	names := []string{"UTC"}
	for _, l := range strings.Split(zonesTxt, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			names = append(names, l)
		}
	}
	return names
})

// ErrUnknown is returned by Load for a name that is not an IANA zone this
// binary knows.
var ErrUnknown = errors.New("zones: unknown time zone")

// Load is time.LoadLocation for a name a person typed or picked: "" and
// "Local" (the server's own zone, which means nothing to the person) are
// refused like unknown names, with ErrUnknown.
func Load(name string) (*time.Location, error) {
	if name == "" || name == "Local" || len(name) > 64 {
		return nil, fmt.Errorf("%w: %q", ErrUnknown, name)
	}
	if loc, ok := loaded.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknown, name)
	}
	loaded.Store(name, loc) // a few hundred at most: only names that exist
	return loc, nil
}

// loaded are the zones Load read, by name: a picker labels all of them on
// every render, and time.LoadLocation reads a file each time.
var loaded sync.Map

// Offset says loc's offset from UTC at t: "UTC+01:00", "UTC-04:30",
// "UTC+00:00".
func Offset(loc *time.Location, t time.Time) string {
	_, off := t.In(loc).Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, off/3600, off%3600/60)
}

// Label is a zone as a picker shows it at t: "Europe/Berlin (UTC+01:00)".
// An unknown name is said as it is.
func Label(name string, t time.Time) string {
	loc, err := Load(name)
	if err != nil {
		return name
	}
	return name + " (" + Offset(loc, t) + ")"
}

// Zone is one choice in a picker.
type Zone struct {
	Name  string // "Europe/Berlin"
	Label string // "Europe/Berlin (UTC+01:00)"
}

// Group is a region's zones ("Europe"), for an <optgroup>.
type Group struct {
	Region string
	Zones  []Zone
}

// Groups are Names by region ("UTC" alone first, then "Africa" …
// "Pacific"), each zone labelled with its offset at t. A current name not
// in the list (an old alias such as "US/Eastern" saved earlier) is added
// to an "Other" group at the end so a form can still show it chosen.
func Groups(t time.Time, current string) []Group {
	var groups []Group
	names := Names()
	if current != "" && !slices.Contains(names, current) {
		names = append(slices.Clip(names), current)
	}
	for i, name := range names {
		region := "Other"
		if before, _, ok := strings.Cut(name, "/"); ok && i < len(Names()) {
			region = before
		}
		if name == "UTC" {
			region = "UTC"
		}
		if len(groups) == 0 || groups[len(groups)-1].Region != region {
			groups = append(groups, Group{Region: region})
		}
		g := &groups[len(groups)-1]
		g.Zones = append(g.Zones, Zone{Name: name, Label: Label(name, t)})
	}
	return groups
}
