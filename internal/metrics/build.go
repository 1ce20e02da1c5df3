package metrics

import (
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Build is what `dargo version` prints and dargo_build_info carries, from
// the binary's build information.
type Build struct {
	Version   string // module version, "(devel)" for a build from a checkout
	Commit    string // vcs.revision, "unknown" without VCS information
	Time      string // vcs.time (the commit's time), "unknown" without
	Modified  bool   // vcs.modified: built from a checkout with changes
	GoVersion string // the toolchain that built the binary
}

// ReadBuild reads the binary's build information once.
var ReadBuild = sync.OnceValue(func() Build {
	b := Build{Version: "(devel)", Commit: "unknown", Time: "unknown", GoVersion: runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.GoVersion = info.GoVersion
	if v := info.Main.Version; v != "" {
		b.Version = v
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
})

var buildDef, _ = define("dargo_build_info",
	"gauge", "Always 1; the labels say which build runs: version, commit, go_version.", "version", "commit", "go_version")

func buildInfo() prometheus.Collector {
	b := ReadBuild()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: buildDef.Name, Help: buildDef.Help,
		ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.Commit, "go_version": b.GoVersion}})
	g.Set(1)
	return g
}
